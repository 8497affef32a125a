#include "weft/shared.hpp"

#include "weft/executor.hpp"

namespace weft::detail {

ObjectId register_variable(Platform& p, std::string_view name, const std::source_location& where) {
  ObjectId id = p.next_object_id();
  emit_object_create(p, id, ObjectKind::variable, name, where);
  return id;
}

void emit_access(Platform& p, ObjectId id, VariableAccess a, const std::source_location& where) {
  TraceEvent e{EventKind::access};
  e.task = current_task();
  e.object = id;
  e.value = std::int64_t(a);
  if (where.file_name()[0]) {
    e.file = where.file_name();
    e.line = where.line();
  }
  p.emit(e);
}

}  // namespace weft::detail
