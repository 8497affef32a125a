// All the artefacts of one finding in one directory.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "weft/render/render.hpp"

namespace weft::render {

namespace {

bool write(const std::string& path, const std::string& content, std::vector<std::string>& errors) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    errors.push_back("cannot write '" + path + "': " + std::generic_category().message(errno));
    return false;
  }
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) errors.push_back("cannot write '" + path + "'");
  return ok;
}

// The value of attribute `name` ("123pt", "456px", "789") in CSS pixels.
int length_px(const std::string& svg, const char* name) {
  auto head_end = svg.find('>', svg.find("<svg"));
  auto at = svg.find(std::string(" ") + name + "=\"", svg.find("<svg"));
  if (at == std::string::npos || at > head_end) return 0;
  at += std::char_traits<char>::length(name) + 3;
  char* end = nullptr;
  double v = std::strtod(svg.c_str() + at, &end);
  if (!end || v <= 0) return 0;
  if (end[0] == 'p' && end[1] == 't') v = v * 96 / 72;
  return int(v + 0.5);
}

}  // namespace

std::pair<int, int> svg_size_px(const std::string& svg) {
  if (svg.find("<svg") == std::string::npos) return {0, 0};
  return {length_px(svg, "width"), length_px(svg, "height")};
}

std::vector<std::string> render_finding(const std::string& dir, const RenderInput& in, const FindingFiles& options,
                                        std::vector<std::string>& errors) {
  std::vector<std::string> written;
  auto put = [&](const char* name, const std::string& content) {
    std::string p = dir + "/" + name;
    if (write(p, content, errors)) written.push_back(p);
  };
  std::string dot = to_dot(in);
  put("schedule.dot", dot);
  std::string svg;
  if (options.layout) {
    std::string why;
    if (layout(dot, "svg", svg, why))
      put("schedule.svg", svg);
    else
      errors.push_back(dir + "/schedule.svg: " + why);
  }
  put("sequence.svg", to_sequence_svg(in));
  put("sequence.mmd", to_mermaid(in));
  put("timeline.json", to_chrome_json(in));
  put("report.md", to_markdown(in));
  put("report.html", to_html(in, svg, options.source_root));
  return written;
}

}  // namespace weft::render
