// The same kinds of construct as evasions.cc, each under its note: the
// ferrite-audit plugin accepts the file and records every construct with the
// id of the note that covers it (`// COVERS: <id>` on the construct's line).
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <string>

#include "ferrite/unsafe.h"

namespace noted {

int Relaxed(std::atomic<int>& a) {
  // ORDERING(noted-relaxed): a counter; no other memory is published with it.
  return a.load(std::memory_order_relaxed);  // COVERS: noted-relaxed
}

int Sum(const int* p, std::size_t n) {
  int sum = 0;
  // SAFETY(noted-loop): p points to n ints; one note covers the loop.
  for (std::size_t i = 0; i < n; ++i) {
    FERRITE_UNSAFE_BEGIN  // COVERS: noted-loop
    sum += p[i];  // COVERS: noted-loop
    FERRITE_UNSAFE_END
  }
  return sum;
}

int Region(const int* p) {
  // SAFETY(noted-region): p points to at least three ints.
  FERRITE_UNSAFE_BEGIN  // COVERS: noted-region
  int a = p[0];  // COVERS: noted-region
  int b = p[2];  // COVERS: noted-region
  FERRITE_UNSAFE_END
  return a + b;
}

std::string* Emplace(void* storage) {
  // SAFETY(noted-emplace): storage is suitably aligned raw memory for a string.
  return ::new (storage)  // COVERS: noted-emplace
      std::string(static_cast<const char*>("x"));
}

void Destroy(std::string* s) {
  // SAFETY(noted-destroy): *s is alive and never used again.
  s->~basic_string();  // COVERS: noted-destroy
}

// SAFETY(noted-union): the union's members are trivial; Read reads the member
// that was written last.
union Word {  // COVERS: noted-union
  int i;
  float f;
};

int Read(const Word& w) {
  // SAFETY(noted-read): i is the active member (see the union's note).
  return w.i;  // COVERS: noted-read
}

}  // namespace noted
