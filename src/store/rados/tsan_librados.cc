// ThreadSanitizer and librados: librados and libceph-common are not instrumented, so TSan cannot
// see their internal synchronization and reports races entirely inside them (seen: CephContext
// singletons while a Rados handle starts its messenger threads). Reports with a frame in those
// libraries are suppressed; races in our own code are still reported. Compiled into every binary
// that can open a rados:// store (the reel command and the store tests): a definition in a static
// library would never be linked, as nothing references it.
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return "race:libceph-common.so\n"
         "race:librados.so\n";
}
#endif
