// ferrite/detail/value_type.h — internal: the types that ferrite's owning
// types (Arc, Rc, Mutex, RwLock, OnceLock, Vec, Slice, channels) hold by
// value. Not part of the public API.
#pragma once

#include <type_traits>

namespace ferrite::detail {

// An object type that is not an array: not a reference, function or void
// (they are not objects), and not T[N] (copy and move do not apply to it).
template <class T>
concept ObjectValue = std::is_object_v<T> && !std::is_array_v<T>;

// An ObjectValue that is not const: elements a container moves, assigns and
// destroys in place (Rust's Vec<T> owns T; constness belongs to the access).
template <class T>
concept MutableObjectValue = ObjectValue<T> && !std::is_const_v<T>;

}  // namespace ferrite::detail
