// Option definitions shared by the commands: text that may not be empty, whole numbers read as
// decimal (CLI11 alone reads 010 as octal and 0x10 as hex), and the values an option takes, kept
// for the shell completion and the man page generated from these definitions.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace picocray::cli {

// A text option whose value may not be empty (`--nodes ''` is an error, never "all").
CLI::Option* add_text_option(CLI::App& app, const std::string& name, std::string& target,
                             const std::string& help);
// A whole number, decimal only, min to max; `shown_default` is what --help prints (or empty).
template <typename T>
CLI::Option* add_whole_option(CLI::App& app, const std::string& name, T& target,
                              const std::string& help, uint64_t min, uint64_t max,
                              const std::string& shown_default = "");
// A decimal with up to `digits` fraction digits, stored times 10^digits (133.5 MHz: 133500000).
CLI::Option* add_scaled_option(CLI::App& app, const std::string& name, uint64_t& target,
                               const std::string& help, int digits, uint64_t min, uint64_t max,
                               const std::string& range_text);

// The words an option's value is one of, for completion (the option's own check stays wherever
// it is). Options of type FILE, DIR or PATH complete file names.
CLI::Option* set_choices(CLI::Option* opt, std::vector<std::string> words);
const std::vector<std::string>* choices_of(const CLI::Option* opt);

// The long name of an option as typed: "--iterations".
std::string option_label(const std::string& name);

}  // namespace picocray::cli
