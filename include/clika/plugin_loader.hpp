#pragma once
// Finding and loading backend plugins (shared libraries speaking plugin_abi.h) with Boost.DLL.
//
// A plugin named N is the file libclika_N.so, looked for in a PluginSearchPath: the --plugin-path directories, then
// $CLIKA_PLUGIN_PATH (colon-separated), then <exe dir>/../lib/clika/plugins (installed layout) and <exe dir>/../lib
// (build tree). A name holding '/' or ending in ".so" is a file path, used as-is. load_plugin() checks the entry point,
// the ABI version, the size of the API table (at least v2.0's: fields added later are read only when it covers them),
// every function pointer and the declared settings before anything is called, and refuses with a clika::Error
// (ErrorKind::backend) naming the file and the reason.
//
// Lifetime: a Plugin shares ownership of the loaded library; copies (and every PluginBackend made from one) keep it
// loaded, so no function pointer of the plugin outlives its code.
//
// Header-only; the including target needs Boost headers and ${CMAKE_DL_LIBS}.

#ifndef BOOST_DLL_USE_STD_FS
#if defined(BOOST_DLL_DETAIL_CONFIG_HPP)
#error "clika/plugin_loader.hpp must be included before Boost.DLL headers (or define BOOST_DLL_USE_STD_FS everywhere)"
#endif
#define BOOST_DLL_USE_STD_FS 1
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <dlfcn.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

#include "clika/abi/holds.hpp"
#include "clika/abi/setting.hpp"
#include "clika/error.hpp"
#include "clika/plugin_abi.h"

namespace clika {

// The file a plugin named `name` lives in: libclika_<name>.so.
[[nodiscard]] inline std::string plugin_file_name(std::string_view name) { return fmt::format("libclika_{}.so", name); }

// True when `name_or_path` names a file rather than a plugin: it holds a '/' or ends in ".so".
[[nodiscard]] inline bool is_plugin_path(std::string_view name_or_path) {
    return name_or_path.find('/') != std::string_view::npos || name_or_path.ends_with(".so");
}

// The directories plugins are looked for in, first match wins.
struct PluginSearchPath {
    std::vector<std::filesystem::path> dirs;

    // Explicit directories (--plugin-path), then the entries of `env_value` (CLIKA_PLUGIN_PATH syntax: colon-separated,
    // empty entries ignored), then exe_dir/../lib/clika/plugins and exe_dir/../lib. Pure: for tests and embedding.
    [[nodiscard]] static PluginSearchPath make(std::span<const std::filesystem::path> explicit_dirs, std::string_view env_value,
                                               const std::filesystem::path& exe_dir) {
        PluginSearchPath out;
        for (const auto& dir : explicit_dirs)
            if (!dir.empty()) out.dirs.push_back(dir);
        while (!env_value.empty()) {
            const std::size_t colon = env_value.find(':');
            const std::string_view entry = env_value.substr(0, colon);
            if (!entry.empty()) out.dirs.emplace_back(std::string(entry));
            if (colon == std::string_view::npos) break;
            env_value.remove_prefix(colon + 1);
        }
        if (!exe_dir.empty()) {
            out.dirs.push_back((exe_dir / ".." / "lib" / "clika" / "plugins").lexically_normal());
            out.dirs.push_back((exe_dir / ".." / "lib").lexically_normal());
        }
        return out;
    }

    // The standard search path of this process: explicit dirs, $CLIKA_PLUGIN_PATH, then next to the running executable.
    [[nodiscard]] static PluginSearchPath standard(std::span<const std::filesystem::path> explicit_dirs = {}) {
        const char* env = std::getenv("CLIKA_PLUGIN_PATH");
        boost::dll::fs::error_code ec;
        const std::filesystem::path exe = boost::dll::program_location(ec);
        return make(explicit_dirs, env != nullptr ? std::string_view(env) : std::string_view(), ec ? std::filesystem::path() : exe.parent_path());
    }

    // The first directory holding libclika_<name>.so.
    [[nodiscard]] std::optional<std::filesystem::path> find(std::string_view name) const {
        const std::string file = plugin_file_name(name);
        for (const auto& dir : dirs) {
            std::error_code ec;
            const std::filesystem::path candidate = dir / file;
            if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
        }
        return std::nullopt;
    }

    // "dir1, dir2, ..." for messages.
    [[nodiscard]] std::string to_string() const {
        if (dirs.empty()) return "(no directories)";
        std::string out;
        for (const auto& dir : dirs) {
            if (!out.empty()) out += ", ";
            out += dir.string();
        }
        return out;
    }
};

// A loaded, validated plugin. Copies share the library, which stays loaded until the last copy (and the last backend
// made from one) is gone.
class Plugin {
public:
    Plugin(std::shared_ptr<const boost::dll::shared_library> library, const clika_plugin_api_v2* api, std::filesystem::path path,
           std::vector<const clika_setting*> settings = {})
        : library_(std::move(library)), api_(api), path_(std::move(path)), settings_(std::move(settings)) {}

    [[nodiscard]] const clika_plugin_api_v2& api() const noexcept { return *api_; }
    [[nodiscard]] std::string_view name() const noexcept { return api_->name; }
    [[nodiscard]] std::string_view version() const noexcept { return api_->version; }
    [[nodiscard]] std::uint32_t abi_version() const noexcept { return api_->abi_version; }
    // The file it was loaded from.
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] const std::shared_ptr<const boost::dll::shared_library>& library() const noexcept { return library_; }
    // The CLIKA_PLUGIN_MODEL_* flags it declares (none for a plugin older than the field).
    [[nodiscard]] std::uint32_t flags() const noexcept { return abi::holds(*api_, &clika_plugin_api_v2::flags) ? api_->flags : 0; }
    // Whether open's model argument is a file clika can check first (not for a server plugin, say).
    [[nodiscard]] bool model_is_file() const noexcept { return (flags() & CLIKA_PLUGIN_MODEL_NOT_A_FILE) == 0; }
    // Whether its model file is GGUF, which PluginBackend reads with clika's own reader before the plugin opens it.
    [[nodiscard]] bool model_is_gguf() const noexcept {
        return model_is_file() && (flags() & (CLIKA_PLUGIN_MODEL_GGUF | CLIKA_PLUGIN_MODEL_GGUF_FOR_LLAMA_CPP)) != 0;
    }
    // Whether llama.cpp loads that GGUF file, so that metadata it aborts on is refused first.
    [[nodiscard]] bool model_is_gguf_for_llama_cpp() const noexcept { return model_is_gguf() && (flags() & CLIKA_PLUGIN_MODEL_GGUF_FOR_LLAMA_CPP) != 0; }
    // The settings it declares (checked at load; none for a plugin older than declared settings), in its order.
    [[nodiscard]] std::span<const clika_setting* const> settings() const noexcept { return settings_; }

private:
    std::shared_ptr<const boost::dll::shared_library> library_;
    const clika_plugin_api_v2* api_;
    std::filesystem::path path_;
    std::vector<const clika_setting*> settings_;  // point into the library, which library_ keeps loaded
};

namespace detail {

[[noreturn]] inline void refuse(const std::filesystem::path& file, std::string what, std::string expected = {}) {
    throw Error(ErrorKind::backend, Location{file, 0, {}}, std::move(what), std::move(expected));
}

// Everything load_plugin() checks once the file is known.
inline Plugin load_plugin_file(const std::filesystem::path& given) {
    std::error_code fs_ec;
    const std::filesystem::path file = std::filesystem::absolute(given, fs_ec).lexically_normal();
    if (!std::filesystem::exists(file, fs_ec)) refuse(file, "plugin file not found");
    if (!std::filesystem::is_regular_file(file, fs_ec)) refuse(file, "plugin path is not a regular file");

    auto library = std::make_shared<boost::dll::shared_library>();
    boost::dll::fs::error_code ec;
    ::dlerror();  // clear any stale message
    library->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !library->is_loaded()) {
        const char* why = ::dlerror();
        refuse(file, fmt::format("cannot load plugin: {}", why != nullptr ? std::string(why) : ec.message()));
    }
    if (!library->has(CLIKA_PLUGIN_ENTRY_POINT) && library->has(CLIKA_PLUGIN_ENTRY_POINT_V1))
        refuse(file, fmt::format("plugin built for ABI v1 (it exports {}); this clika speaks v{}: rebuild the plugin against this clika's "
                                 "include/clika/plugin_abi.h", CLIKA_PLUGIN_ENTRY_POINT_V1, CLIKA_PLUGIN_ABI_VERSION));
    if (!library->has(CLIKA_PLUGIN_ENTRY_POINT))
        refuse(file, fmt::format("not a clika plugin: it does not export {}", CLIKA_PLUGIN_ENTRY_POINT),
               fmt::format("a shared library exporting extern \"C\" {}", CLIKA_PLUGIN_ENTRY_POINT));
    auto& entry = library->get<std::remove_pointer_t<clika_plugin_entry_v2>>(CLIKA_PLUGIN_ENTRY_POINT);
    const clika_plugin_api_v2* api = entry();
    if (api == nullptr) refuse(file, fmt::format("{}() returned NULL", CLIKA_PLUGIN_ENTRY_POINT));
    if (api->abi_version != CLIKA_PLUGIN_ABI_VERSION)
        refuse(file, fmt::format("plugin built for ABI v{}, this clika speaks v{}", api->abi_version, CLIKA_PLUGIN_ABI_VERSION));
    if (!abi::is_v2(api))
        refuse(file, fmt::format("plugin API table is {} bytes, smaller than ABI v{}.0's {} bytes", api->struct_size,
                                 CLIKA_PLUGIN_ABI_VERSION, abi::v2_size<clika_plugin_api_v2>));
    const std::pair<const char*, bool> required[] = {
        {"name", api->name != nullptr},           {"version", api->version != nullptr},
        {"open", api->open != nullptr},           {"close", api->close != nullptr},
        {"describe", api->describe != nullptr},   {"tokenize", api->tokenize != nullptr},
        {"token_piece", api->token_piece != nullptr}, {"score", api->score != nullptr},
        {"last_error", api->last_error != nullptr},
    };
    for (const auto& [field, present] : required)
        if (!present) refuse(file, fmt::format("plugin API field \"{}\" is NULL", field));
    const int generation = (api->generate_begin != nullptr) + (api->generate_step != nullptr) + (api->generate_end != nullptr);
    if (generation != 0 && generation != 3)
        refuse(file, "plugin API fields generate_begin, generate_step and generate_end must be all set or all NULL");
    std::string problem;
    std::vector<const clika_setting*> settings = abi::declared_settings(*api, problem);
    if (!problem.empty()) refuse(file, "plugin declares settings that break the rules of clika_setting: " + problem);
    return Plugin(std::move(library), api, file, std::move(settings));
}

}  // namespace detail

// Loads a plugin by name (searching `search_path`) or by file path (see is_plugin_path). Throws clika::Error
// (ErrorKind::backend) naming the file and why it was refused, or, when not found, the name and every directory searched.
[[nodiscard]] inline Plugin load_plugin(std::string_view name_or_path, const PluginSearchPath& search_path) {
    if (is_plugin_path(name_or_path)) return detail::load_plugin_file(std::filesystem::path(std::string(name_or_path)));
    if (name_or_path.empty()) throw Error(ErrorKind::backend, {}, "empty plugin name", "a plugin name such as \"llamacpp\" or a path to a .so file");
    if (auto file = search_path.find(name_or_path)) return detail::load_plugin_file(*file);
    throw Error(ErrorKind::backend, {},
                fmt::format("plugin \"{}\" not found: no {} in {}", name_or_path, plugin_file_name(name_or_path), search_path.to_string()),
                "a plugin directory given with --plugin-path or CLIKA_PLUGIN_PATH");
}

// A declared setting as clika lists it: an owned copy, since a listing outlives the library.
struct SettingListing {
    std::string name;           // the JSON key; the command line's --name with '-' for '_'
    std::string kind;           // "a whole number in 1..4096", "true or false", "text"
    std::string default_value;  // as written on a command line
    std::string help;
    bool flag = false;          // true or false: --name and --no-name

    [[nodiscard]] static SettingListing of(const clika_setting& s) {
        return {s.name, abi::setting_kind(s), s.default_value, s.help, s.type == CLIKA_SETTING_BOOL};
    }
};

// One libclika_*.so found by list_plugins().
struct PluginListing {
    std::string name;            // the plugin's own name; for refused files, the N of libclika_N.so
    std::string version;         // empty when refused
    std::uint32_t abi_version = 0;  // 0 when refused
    std::filesystem::path path;
    std::string refusal;         // why it cannot be loaded; empty when it loads
    std::vector<SettingListing> settings;  // what it declares, in its order
    bool shadowed = false;       // a directory earlier in the search path has the same file name: load_plugin(N) picks that

    [[nodiscard]] bool ok() const noexcept { return refusal.empty(); }
};

// Every libclika_*.so in the search path's directories (in search order, by file name within a directory), loaded to
// read name, version and ABI, or with the reason it was refused. Missing directories are skipped; never throws for a bad
// plugin.
[[nodiscard]] inline std::vector<PluginListing> list_plugins(const PluginSearchPath& search_path) {
    std::vector<PluginListing> out;
    std::set<std::filesystem::path> seen_dirs;
    std::set<std::string> seen_names;
    for (const auto& dir : search_path.dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) continue;
        const std::filesystem::path canonical = std::filesystem::weakly_canonical(dir, ec);
        if (!seen_dirs.insert(ec ? dir : canonical).second) continue;
        std::vector<std::filesystem::path> files;
        for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string file = it->path().filename().string();
            if (file.starts_with("libclika_") && file.ends_with(".so") && file.size() > 12) files.push_back(it->path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            PluginListing entry;
            const std::string file_name = file.filename().string();
            const std::string stem = file_name.substr(9, file_name.size() - 12);
            entry.path = std::filesystem::absolute(file, ec).lexically_normal();
            entry.shadowed = !seen_names.insert(stem).second;
            try {
                const Plugin plugin = detail::load_plugin_file(file);
                entry.name = plugin.name();
                entry.version = plugin.version();
                entry.abi_version = plugin.abi_version();
                for (const clika_setting* setting : plugin.settings()) entry.settings.push_back(SettingListing::of(*setting));
            } catch (const Error& e) {
                entry.name = stem;
                entry.refusal = e.problem();
            }
            out.push_back(std::move(entry));
        }
    }
    return out;
}

}  // namespace clika
