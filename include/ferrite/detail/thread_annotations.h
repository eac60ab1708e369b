// ferrite/detail/thread_annotations.h — Clang thread-safety annotations.
//
// ferrite's locks declare, with these macros, which data each lock guards and
// which functions take, release or require it. Project code is compiled with
// -Wthread-safety -Werror, so a library function that touches guarded data
// without holding (or asserting) its lock does not compile. With other
// compilers the macros expand to nothing.
//
// The vocabulary is Abseil's (absl/base/thread_annotations.h), prefixed:
//
//   class FERRITE_CAPABILITY("mutex") RawMutex {
//     void lock() FERRITE_ACQUIRE();
//     void unlock() FERRITE_RELEASE();
//   };
//   mutable RawMutex raw_;
//   mutable T value_ FERRITE_GUARDED_BY(raw_);
//
// FERRITE_NO_THREAD_SAFETY_ANALYSIS is a permanent, reviewed opt-out: each
// use says why the analysis cannot follow the code (typically, a lock whose
// ownership moves into a returned guard object).
#pragma once

#if defined(__clang__)
#define FERRITE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FERRITE_THREAD_ANNOTATION(x)
#endif

// A type whose objects are locks ("mutex", "rwlock"...).
#define FERRITE_CAPABILITY(name) FERRITE_THREAD_ANNOTATION(capability(name))

// An RAII type that holds a lock for its lifetime (constructor annotated
// FERRITE_ACQUIRE(lock), destructor FERRITE_RELEASE()).
#define FERRITE_SCOPED_CAPABILITY FERRITE_THREAD_ANNOTATION(scoped_lockable)

// A data member that may be read or written only while the lock is held
// (read: held shared or exclusive; write: held exclusive).
#define FERRITE_GUARDED_BY(lock) FERRITE_THREAD_ANNOTATION(guarded_by(lock))

// The function must be called with the lock held (exclusive / shared).
#define FERRITE_REQUIRES(...) FERRITE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define FERRITE_REQUIRES_SHARED(...) \
  FERRITE_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// The function must be called with the lock NOT held (non-reentrant locks).
#define FERRITE_EXCLUDES(...) FERRITE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// The function acquires / releases the lock (no argument: `this`).
#define FERRITE_ACQUIRE(...) FERRITE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define FERRITE_ACQUIRE_SHARED(...) \
  FERRITE_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define FERRITE_RELEASE(...) FERRITE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define FERRITE_RELEASE_SHARED(...) \
  FERRITE_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))

// The function acquires the lock when it returns `result` (true / false).
#define FERRITE_TRY_ACQUIRE(...) FERRITE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define FERRITE_TRY_ACQUIRE_SHARED(...) \
  FERRITE_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// After the call, the analysis assumes the lock is held (exclusive / shared).
#define FERRITE_ASSERT_CAPABILITY(x) FERRITE_THREAD_ANNOTATION(assert_capability(x))
#define FERRITE_ASSERT_SHARED_CAPABILITY(x) FERRITE_THREAD_ANNOTATION(assert_shared_capability(x))

// A reviewed opt-out; every use carries a comment saying why.
#define FERRITE_NO_THREAD_SAFETY_ANALYSIS FERRITE_THREAD_ANNOTATION(no_thread_safety_analysis)
