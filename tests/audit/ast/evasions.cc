// Constructs a text scan of the source misses, one a function, each without a
// note: the ferrite-audit plugin, auditing this file as if it were ferrite's
// own code, must reject every line marked `// REJECT: <kind>` with that kind,
// and nothing else. The file compiles cleanly without the plugin, under the
// project's flags (-Werror=unsafe-buffer-usage included).
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <new>
#include <string>

#include "ferrite/unsafe.h"

#define ORDER_OF_THE_DAY std::memory_order_relaxed
#define MY_UNSAFE(...) FERRITE_UNSAFE_BUFFERS(__VA_ARGS__)

namespace evasions {

int MacroOrder(std::atomic<int>& a) {
  return a.load(ORDER_OF_THE_DAY);  // REJECT: atomic-relaxed
}

int UsingEnumOrder(std::atomic<int>& a) {
  using enum std::memory_order;
  return a.load(relaxed);  // REJECT: atomic-relaxed
}

int ValueInitializedOrder(std::atomic<int>& a) {
  return a.load(std::memory_order{});  // REJECT: atomic-relaxed
}

int BuiltinOrder(int* p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);  // REJECT: atomic-relaxed
}

int* NextOnRawPointer(int* p, std::ptrdiff_t n) {
  return std::next(p, n);  // REJECT: pointer-arithmetic
}

int* AliasMacro(int* p) {
  return MY_UNSAFE(p + 1);  // REJECT: buffers, pointer-arithmetic
}

int RawPragma(const int* p) {
#pragma clang unsafe_buffer_usage begin  // REJECT: buffers
  return p[1];  // REJECT: subscript
#pragma clang unsafe_buffer_usage end
}

float* CStyleCast(int* p) {
  return (float*)p;  // REJECT: c-style-cast
}

float* BitCastToPointer(std::uintptr_t address) {
  return std::bit_cast<float*>(address);  // REJECT: bit_cast
}

std::string* StaticCastFromVoid(void* p) {
  return static_cast<std::string*>(p);  // REJECT: static_cast-void
}

std::string* PlacementNewOnTwoLines(void* storage) {
  return ::new  // REJECT: placement-new
      (storage) std::string("split");
}

void DestructorCallThroughBasicString(std::string* s) {
  s->~basic_string<char>();  // REJECT: destructor-call
}

void DestroyThroughUsing(std::string* b, std::string* e) {
  using std::destroy;
  destroy(b, e);  // REJECT: destroy
}

std::string* UninitializedCopy(const std::string* b, const std::string* e, std::string* out) {
  return std::uninitialized_copy(b, e, out);  // REJECT: uninitialized_copy
}

union Pun {  // REJECT: union
  float f;
  std::uint32_t bits;
};

std::uint32_t UnionPunning(float f) {
  Pun pun{.f = f};
  return pun.bits;  // REJECT: union-access
}

void RawDelete(int* p) {
  delete p;  // REJECT: delete
}

}  // namespace evasions
