package io.buildindex.server;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Replaces this process's program with another, keeping its pid, its standard streams and its
 * parent ({@code execve(2)} through the Foreign Function and Memory API, final from Java 22; this
 * source is compiled only by a JDK of 22 or newer, see {@code buildindex/pom.xml}). {@link
 * Relauncher} calls it reflectively and falls back to a child JVM when it is absent or fails.
 * Linux only. Stateless.
 *
 * <p>Before the call: this thread's signal mask is emptied (the new program inherits it, and the
 * JVM blocks some signals in its threads), and every descriptor above standard error is marked
 * close-on-exec (the JVM leaves its jar and class-data files open without it). The other threads
 * of this JVM end with the old program, as {@code execve} ends them.
 */
final class ProcessImage {
  private static final int SIG_SETMASK = 2;
  private static final int F_SETFD = 2;
  private static final int FD_CLOEXEC = 1;
  /** glibc's {@code sigset_t}: 1,024 bits. */
  private static final long SIGSET_BYTES = 128;

  private ProcessImage() {}

  /**
   * Runs {@code argv} (its first element an absolute path) with exactly {@code environment};
   * returns only when the exec failed, by throwing.
   *
   * @throws IOException with the C library's {@code errno} when {@code execve} returned
   */
  static void replace(List<String> argv, Map<String, String> environment) throws IOException {
    Linker linker = Linker.nativeLinker();
    StructLayout callState = Linker.Option.captureStateLayout();
    VarHandle errno = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    MethodHandle execve = linker.downcallHandle(symbol(linker, "execve"),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
        Linker.Option.captureCallState("errno"));
    MethodHandle sigprocmask = linker.downcallHandle(symbol(linker, "sigprocmask"),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    MethodHandle fcntl = linker.downcallHandle(symbol(linker, "fcntl"),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
        Linker.Option.firstVariadicArg(2));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment path = arena.allocateFrom(argv.get(0));
      MemorySegment args = strings(arena, argv);
      MemorySegment env = strings(arena, environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      MemorySegment state = arena.allocate(callState);
      closeOnExec(fcntl);
      System.out.flush();
      System.err.flush();
      int unused = (int) sigprocmask.invokeExact(SIG_SETMASK, arena.allocate(SIGSET_BYTES), MemorySegment.NULL);
      int result = (int) execve.invokeExact(state, path, args, env);
      throw new IOException("execve " + argv.get(0) + " returned " + result + ", errno " + (int) errno.get(state, 0L));
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) { // invokeExact declares Throwable; a downcall throws nothing checked
      throw new IOException("execve " + argv.get(0), t);
    }
  }

  private static MemorySegment symbol(Linker linker, String name) throws IOException {
    return linker.defaultLookup().find(name).orElseThrow(() -> new IOException("no " + name + " in the C library"));
  }

  /** A NULL-terminated array of C strings, as {@code execve} takes its arguments and environment. */
  private static MemorySegment strings(Arena arena, List<String> values) {
    MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
    for (int i = 0; i < values.size(); i++) {
      array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
    }
    array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
    return array;
  }

  private static void closeOnExec(MethodHandle fcntl) throws Throwable {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        int n = Integer.parseInt(fd.getFileName().toString());
        if (n > 2) {
          // The listing's own descriptor is closed by then: EBADF, harmless.
          int unused = (int) fcntl.invokeExact(n, F_SETFD, FD_CLOEXEC);
        }
      }
    }
  }
}
