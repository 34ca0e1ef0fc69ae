/* Sanitizer runtime defaults compiled into every executable of a FERRET_SANITIZE build (why: the same
   behaviour under ctest, by hand, and in child processes: tools run by the e2e tests, plugin workers).
   The first report aborts the process (SIGABRT, never an ordinary exit code a test could take for a
   tool's own), leaks are reported at exit, and only the narrow suppression files in this folder
   apply. ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS in the environment override these. */

#ifndef FERRET_SANITIZER_SUPP_DIR
#error "FERRET_SANITIZER_SUPP_DIR must name tests/sanitizer"
#endif

const char* __asan_default_options(void);
const char* __ubsan_default_options(void);
const char* __lsan_default_options(void);

__attribute__((visibility("default"), used)) const char* __asan_default_options(void) {
  return "detect_leaks=1:halt_on_error=1:abort_on_error=1:print_stacktrace=1:"
         "check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:"
         /* Allocation stacks by the fast (frame-pointer) unwinder, the default: nothing in
            lsan.supp needs frames below a third-party library's first one (libtsk's GPT leak is
            exempted where it happens, lib/fs/walk.cpp open_volume_system). */
         "fast_unwind_on_malloc=1";
}

__attribute__((visibility("default"), used)) const char* __ubsan_default_options(void) {
  return "halt_on_error=1:abort_on_error=1:print_stacktrace=1:"
         "suppressions=" FERRET_SANITIZER_SUPP_DIR "/ubsan.supp";
}

__attribute__((visibility("default"), used)) const char* __lsan_default_options(void) {
  return "print_suppressions=0:suppressions=" FERRET_SANITIZER_SUPP_DIR "/lsan.supp";
}
