package io.buildindex.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/** The JSON body of every error response; {@code id} is set on 5xx and also logged. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ErrorBody(int status, String message, @Nullable String id) {}
