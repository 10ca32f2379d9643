#include "options.h"

#include <map>

#include "errors.h"
#include "parse.h"

namespace picocray::cli {

namespace {

std::map<const CLI::Option*, std::vector<std::string>>& choice_table() {
  static std::map<const CLI::Option*, std::vector<std::string>> t;
  return t;
}

// CLI11 reports a ParseError; ours carry the full sentence.
[[noreturn]] void rethrow_as_validation(const CliError& e) {
  throw CLI::ValidationError(e.what());
}

}  // namespace

std::string option_label(const std::string& name) {
  // "-o,--output" -> "--output"; "--iterations" stays.
  std::string last = name.substr(name.rfind(',') == std::string::npos ? 0 : name.rfind(',') + 1);
  return last;
}

CLI::Option* add_text_option(CLI::App& app, const std::string& name, std::string& target,
                             const std::string& help) {
  const std::string label = option_label(name);
  return app.add_option(name, target, help)
      ->check(CLI::Validator(
          [label](std::string& v) -> std::string {
            return v.empty() ? std::string("must not be empty") : std::string();
          },
          "", "NOT_EMPTY"));
}

template <typename T>
CLI::Option* add_whole_option(CLI::App& app, const std::string& name, T& target,
                              const std::string& help, uint64_t min, uint64_t max,
                              const std::string& shown_default) {
  const std::string label = option_label(name);
  auto* opt = app.add_option_function<std::string>(
      name,
      [&target, label, min, max](const std::string& s) {
        try {
          target = static_cast<T>(parse_whole(s, label, min, max));
        } catch (const CliError& e) {
          rethrow_as_validation(e);
        }
      },
      help);
  opt->type_name("N");
  if (!shown_default.empty()) opt->default_str(shown_default);
  return opt;
}

template CLI::Option* add_whole_option<long>(CLI::App&, const std::string&, long&,
                                             const std::string&, uint64_t, uint64_t,
                                             const std::string&);
template CLI::Option* add_whole_option<uint32_t>(CLI::App&, const std::string&, uint32_t&,
                                                 const std::string&, uint64_t, uint64_t,
                                                 const std::string&);
template CLI::Option* add_whole_option<uint64_t>(CLI::App&, const std::string&, uint64_t&,
                                                 const std::string&, uint64_t, uint64_t,
                                                 const std::string&);

CLI::Option* add_scaled_option(CLI::App& app, const std::string& name, uint64_t& target,
                               const std::string& help, int digits, uint64_t min, uint64_t max,
                               const std::string& range_text) {
  const std::string label = option_label(name);
  auto* opt = app.add_option_function<std::string>(
      name,
      [&target, label, digits, min, max, range_text](const std::string& s) {
        try {
          target = parse_scaled(s, label, digits, min, max, range_text);
        } catch (const CliError& e) {
          rethrow_as_validation(e);
        }
      },
      help);
  opt->type_name("F");
  return opt;
}

CLI::Option* set_choices(CLI::Option* opt, std::vector<std::string> words) {
  choice_table()[opt] = std::move(words);
  return opt;
}

const std::vector<std::string>* choices_of(const CLI::Option* opt) {
  auto it = choice_table().find(opt);
  return it == choice_table().end() ? nullptr : &it->second;
}

}  // namespace picocray::cli
