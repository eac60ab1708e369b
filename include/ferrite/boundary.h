// ferrite/boundary.h — marks a function as a thread boundary for the
// ferrite-clang plugin (tools/ferrite-clang).
//
// C++ concepts cannot see what a lambda captures: to ferrite::Send a closure
// is an opaque class type. With the plugin loaded
// (`-fplugin=.../ferrite-clang.so`), every call of ferrite's own boundaries
// (thread::spawn, Scope::spawn, ThreadPool::execute/submit, the channel
// senders, SendFn's constructor) checks the captures of every lambda its
// arguments are or hold: a copy must be Send, a reference is allowed only at
// a scoped boundary, where its referent must be Sync and outlive the scope.
// Mark your own functions that hand a callable to another thread the same
// way:
//
//   template <class F>
//   FERRITE_THREAD_BOUNDARY void run_in_background(F f);        // like thread::spawn
//
//   template <class F>
//   FERRITE_SCOPED_THREAD_BOUNDARY void run_joined(F f);        // like Scope::spawn:
//                                                                // joined before return
//
// Without the plugin (or on another compiler) the macros expand to an
// attribute nobody reads, or to nothing.
#pragma once

#if defined(__clang__)
/// An unscoped boundary: the callable may outlive every local of its caller,
/// so a lambda may capture only by copy, and only what is Send.
#define FERRITE_THREAD_BOUNDARY [[clang::annotate("ferrite::thread_boundary")]]
/// A scoped boundary: the thread is joined before the borrowed data dies, so
/// a lambda may also capture by reference what is Sync.
#define FERRITE_SCOPED_THREAD_BOUNDARY [[clang::annotate("ferrite::scoped_thread_boundary")]]
#else
#define FERRITE_THREAD_BOUNDARY
#define FERRITE_SCOPED_THREAD_BOUNDARY
#endif
