// ferrite/ferrite.h — every public ferrite header in one include.
//
//   #include "ferrite/ferrite.h"
//
// Prefer the single headers (one concept each) in library code; this is for
// programs and quick experiments.
#pragma once

#include "ferrite/arc.h"
#include "ferrite/barrier.h"
#include "ferrite/cell.h"
#include "ferrite/channel.h"
#include "ferrite/condvar.h"
#include "ferrite/drop.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/marker.h"
#include "ferrite/mpsc.h"
#include "ferrite/mutex.h"
#include "ferrite/once.h"
#include "ferrite/panic.h"
#include "ferrite/poison.h"
#include "ferrite/rc.h"
#include "ferrite/rwlock.h"
#include "ferrite/send_fn.h"
#include "ferrite/slice.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
#include "ferrite/unsafe.h"
#include "ferrite/vec.h"
#include "ferrite/version.h"
