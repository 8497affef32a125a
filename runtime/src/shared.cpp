#include "weft/shared.hpp"

#include "weft/executor.hpp"

namespace weft::detail {

ObjectId register_variable(Platform& p, std::string_view name, const std::source_location& where) {
  ObjectId id = p.next_object_id();
  emit_object_create(p, id, ObjectKind::variable, name, where);
  return id;
}

void emit_access(Platform& p, ObjectId id, VariableAccess a, const std::source_location& where) {
  p.emit(trace::event::access(current_task(), id, a, where));
}

}  // namespace weft::detail
