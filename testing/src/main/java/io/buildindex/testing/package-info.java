/**
 * Test fixtures shared by every module's tests: {@link io.buildindex.testing.ChildProcess} (a
 * server or tool as a child process), {@link io.buildindex.testing.Poll} (waiting with a deadline),
 * {@link io.buildindex.testing.FakeClock}, {@link io.buildindex.testing.FreePorts} and
 * {@link io.buildindex.testing.RunningServer} (a JUnit extension). Never on a production class path.
 */
@NullMarked
package io.buildindex.testing;

import org.jspecify.annotations.NullMarked;
