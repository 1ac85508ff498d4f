// clika convert: a Hugging Face model folder to a GGUF file with llama.cpp's own converter (convert_hf_to_gguf.py of the
// pinned llama.cpp tree the build fetched), run in a Python venv that clika creates once from hash-pinned requirements.
// Beside the GGUF, FILE.source.json names where it came from (config and weights by SHA-256) and its own SHA-256.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "clika/atomic_file.hpp"
#include "clika/error.hpp"
#include "clika/file_hash.hpp"
#include "clika/tools/hf_source.hpp"
#include "clika/version.hpp"
#include "commands.hpp"

#ifndef CLIKA_LLAMA_CPP_TREE
#define CLIKA_LLAMA_CPP_TREE ""
#endif
#ifndef CLIKA_CONVERT_REQUIREMENTS
#define CLIKA_CONVERT_REQUIREMENTS ""
#endif

extern char** environ;

namespace clika::cli {

namespace {

namespace fs = std::filesystem;

// What making the venv takes on disk: 4.2 GB installed (torch 2.11 with the CUDA libraries PyPI's Linux wheel depends
// on, measured; scripts/convert-requirements.txt) plus pip's downloads while it installs.
constexpr std::uint64_t venv_bytes = std::uint64_t{6} << 30;

struct ConvertOptions {
    std::string source;
    std::string out;
    std::string type = "f16";
    std::string venv;
    std::string llama_cpp;
    std::string python = "python3";
    bool prepare = false;  // only create the venv (e.g. before going offline, or for the tests)
};

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

fs::path llama_cpp_tree(const ConvertOptions& o) {
    const fs::path tree = !o.llama_cpp.empty() ? fs::path(o.llama_cpp) : fs::path(env_or("CLIKA_LLAMA_CPP_DIR", CLIKA_LLAMA_CPP_TREE));
    if (tree.empty()) fail_input({}, "no llama.cpp tree to take the converter from", "--llama-cpp DIR or CLIKA_LLAMA_CPP_DIR (the build's _deps/llama.cpp)");
    for (const char* needed : {"convert_hf_to_gguf.py", "gguf-py/gguf/__init__.py"})
        if (!fs::is_regular_file(tree / needed))
            fail_input({tree / needed}, "not found: this llama.cpp tree has no converter", "the build's _deps/llama.cpp (--llama-cpp DIR or CLIKA_LLAMA_CPP_DIR)");
    return tree;
}

fs::path requirements_file() {
    const fs::path file = env_or("CLIKA_CONVERT_REQUIREMENTS", CLIKA_CONVERT_REQUIREMENTS);
    if (file.empty() || !fs::is_regular_file(file))
        fail_input({file}, "the converter's pinned requirements are not found", "scripts/convert-requirements.txt of clika's sources (or CLIKA_CONVERT_REQUIREMENTS)");
    return file;
}

fs::path default_venv(const std::string& requirements_sha) {
    const fs::path cache = env_or("XDG_CACHE_HOME", (fs::path(env_or("HOME", ".")) / ".cache").string());
    return cache / "clika" / fmt::format("convert-venv-{}", requirements_sha.substr(0, 12));
}

// Runs a program with our standard streams (its progress shows as it comes) and `extra` added to the environment.
int run_program(const std::vector<std::string>& argv, const std::vector<std::string>& extra = {}) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_text(extra);
    for (char** e = environ; *e != nullptr; ++e) env_text.emplace_back(*e);
    std::vector<char*> env;
    for (const std::string& e : env_text) env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);
    pid_t pid = 0;
    if (const int err = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), env.data()); err != 0)
        throw Error(ErrorKind::backend, {argv[0]}, fmt::format("cannot start it: {}", os_reason(err)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw Error(ErrorKind::backend, {argv[0]}, fmt::format("lost track of it: {}", os_reason(errno)));
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

void require_free_space(const fs::path& where, std::uint64_t needed, std::string_view what) {
    fs::path existing = fs::absolute(where).lexically_normal();
    while ((!fs::exists(existing) || !existing.has_filename()) && existing.has_parent_path() && existing != existing.parent_path())
        existing = existing.parent_path();
    std::error_code ec;
    const fs::space_info space = fs::space(existing, ec);
    if (ec || space.available >= needed) return;
    fail_input({existing}, fmt::format("not enough disk space for {}: about {:.1f} GB needed, {:.1f} GB free", what,
                                       static_cast<double>(needed) / 1e9, static_cast<double>(space.available) / 1e9),
               "more free space there, or another --out / --venv folder");
}

// The venv, created once per requirements file (its SHA-256 names the folder and is stamped inside when complete).
fs::path ensure_venv(const ConvertOptions& o, const fs::path& requirements, const std::string& requirements_sha) {
    const fs::path venv = o.venv.empty() ? default_venv(requirements_sha) : fs::path(o.venv);
    const fs::path stamp = venv / ".clika-requirements.sha256";
    const fs::path python = venv / "bin" / "python";
    if (fs::is_regular_file(stamp)) {
        std::ifstream in(stamp);
        std::string text;
        std::getline(in, text);
        if (text == requirements_sha && fs::exists(python)) return venv;
        fail_input({venv}, "holds a converter venv made from other requirements", "another --venv folder, or remove this one");
    }
    if (fs::exists(venv) && !fs::is_empty(venv)) fail_input({venv}, "exists and is not a converter venv made by clika", "another --venv folder");
    require_free_space(venv, venv_bytes, "the converter's Python environment (torch and its libraries, once)");
    fmt::print(stderr, "clika convert: creating the converter's Python environment in {} (once; about 2.5 GB from PyPI, 4.2 GB installed; "
               "pinned by hash in {})\n", venv.string(), requirements.string());
    fs::create_directories(venv.parent_path());
    const fs::path building = venv.string() + ".partial";
    fs::remove_all(building);
    if (const int rc = run_program({o.python, "-m", "venv", building.string()}); rc != 0)
        throw Error(ErrorKind::backend, {building}, fmt::format("`{} -m venv` failed (exit {}); its messages are above", o.python, rc),
                    "a Python 3.10 or newer with the venv module (--python)");
    if (const int rc = run_program({(building / "bin" / "python").string(), "-m", "pip", "install", "--no-deps", "--require-hashes",
                                    "--disable-pip-version-check", "--progress-bar", "on", "-r", requirements.string()});
        rc != 0) {
        fs::remove_all(building);
        throw Error(ErrorKind::backend, {requirements}, fmt::format("installing the converter's requirements failed (pip exit {}); its messages are above", rc),
                    "PyPI reachable and disk space free");
    }
    write_file_atomically(building / ".clika-requirements.sha256", requirements_sha + "\n", "venv stamp");
    fs::remove_all(venv);
    fs::rename(building, venv);
    return venv;
}

// "key=value" lines of the stamp scripts/fetch-llama-cpp.sh leaves in the tree (tag and commit).
nlohmann::ordered_json llama_cpp_pin(const fs::path& tree) {
    nlohmann::ordered_json out;
    out["tree"] = fs::absolute(tree).lexically_normal().string();
    std::ifstream in(tree / ".clika-llama-cpp.stamp");
    for (std::string line; std::getline(in, line);)
        if (const std::size_t eq = line.find('='); eq != std::string::npos && line.starts_with("llama.cpp-"))
            out[line.substr(10, eq - 10)] = line.substr(eq + 1);
    return out;
}

void run_convert(const ConvertOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    if (o.prepare) {
        const fs::path requirements = requirements_file();
        const fs::path venv = ensure_venv(o, requirements, sha256_file(requirements));
        fmt::print(stdout, "converter environment ready: {}\n", venv.string());
        return;
    }
    if (o.source.empty() || o.out.empty()) fail_input({}, "clika convert needs the model folder and --out", "clika convert HF_DIR --out model.gguf");
    const tools::HfSource source = tools::inspect_hf_folder(o.source);
    const fs::path tree = llama_cpp_tree(o);
    const std::set<std::string> known = tools::converter_architectures(tree);
    if (!known.contains(source.architecture))
        fail_input({source.dir / "config.json", 0, "architectures"},
                   fmt::format("\"{}\" is not an architecture llama.cpp's converter knows (it knows {}, listed in {})", source.architecture,
                               known.size(), (tree / "conversion" / "__init__.py").string()),
                   "a model llama.cpp supports, e.g. LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, GemmaForCausalLM");
    const fs::path out = o.out;
    if (fs::is_directory(out)) fail_input({out}, "is a directory", "the GGUF file to write, e.g. model.gguf");
    if (out.has_parent_path() && !fs::is_directory(out.parent_path())) fail_input({out.parent_path()}, "folder not found", "--out in an existing folder");
    const std::uint64_t needed = tools::estimated_gguf_bytes(source, o.type);
    require_free_space(out.has_parent_path() ? out.parent_path() : fs::path("."), needed, fmt::format("the {} GGUF", o.type));

    const fs::path requirements = requirements_file();
    const std::string requirements_sha = sha256_file(requirements);
    const fs::path venv = ensure_venv(o, requirements, requirements_sha);

    fmt::print(stderr, "clika convert: {} ({}, {:.1f}M parameters) -> {} ({}) with llama.cpp's convert_hf_to_gguf.py\n", source.dir.string(),
               source.architecture, static_cast<double>(source.parameters) / 1e6, out.string(), o.type);
    const fs::path partial = out.string() + fmt::format(".partial{}", ::getpid());
    const int rc = run_program({(venv / "bin" / "python").string(), (tree / "convert_hf_to_gguf.py").string(), source.dir.string(),
                                "--outfile", partial.string(), "--outtype", o.type},
                               // never the hub: the folder is all it may read
                               {"HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1"});
    if (rc != 0 || !fs::is_regular_file(partial)) {
        std::error_code ec;
        fs::remove(partial, ec);
        throw Error(ErrorKind::backend, {source.dir}, fmt::format("llama.cpp's converter failed (exit {}); its messages are above", rc));
    }
    const std::string gguf_sha = sha256_file(partial);
    fs::rename(partial, out);

    nlohmann::ordered_json record;
    record["gguf"] = {{"file", out.filename().string()}, {"bytes", fs::file_size(out)}, {"sha256", gguf_sha}, {"type", o.type}};
    record["source"] = tools::source_identity(source);
    record["converter"] = {{"script", "convert_hf_to_gguf.py"}, {"llama.cpp", llama_cpp_pin(tree)}, {"requirements_sha256", requirements_sha}};
    record["clika"] = std::string(version);
    const fs::path record_path = out.string() + ".source.json";
    write_file_atomically(record_path, record.dump(2) + "\n", "source record");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print(stdout, "wrote {}: {} {}, {:.1f} MB, sha256 {}, in {:.1f} s; source recorded in {}\n", out.string(), source.architecture, o.type,
               static_cast<double>(fs::file_size(out)) / 1e6, gguf_sha, seconds, record_path.string());
}

}  // namespace

void add_convert_command(CLI::App& app) {
    auto o = std::make_shared<ConvertOptions>();
    CLI::App* cmd = app.add_subcommand("convert", "Convert a Hugging Face model folder to GGUF with llama.cpp's own converter");
    cmd->footer(
        "\nThe first conversion creates the converter's Python environment (torch, transformers; pinned by hash) in\n"
        "~/.cache/clika/ (or --venv DIR); later ones reuse it. Nothing is downloaded from the model hub: the folder\n"
        "must hold config.json, the tokenizer and the weights (*.safetensors). f32 keeps the weights exact.\n"
        "Example:\n"
        "  clika convert ./my-model --out my-model.gguf --type f32\n"
        "  clika run --data ../shared/clika-data --model my-model.gguf --out runs/my-model");
    cmd->add_option("source", o->source, "Hugging Face model folder (config.json, tokenizer, *.safetensors)");
    cmd->add_option("--out", o->out, "GGUF file to write; FILE.source.json is written beside it");
    cmd->add_flag("--prepare", o->prepare, "only create the converter's Python environment (needs PyPI), then stop");
    cmd->add_option("--type", o->type, "weight type")->check(CLI::IsMember({"f32", "f16", "bf16", "q8_0"}))->capture_default_str();
    cmd->add_option("--venv", o->venv, "the converter's Python environment (default ~/.cache/clika/convert-venv-HASH; made if missing)");
    cmd->add_option("--llama-cpp", o->llama_cpp, "llama.cpp tree whose convert_hf_to_gguf.py to run (default: the one clika was built with)");
    cmd->add_option("--python", o->python, "Python that creates the venv")->capture_default_str();
    cmd->callback([o] { run_convert(*o); });
}

}  // namespace clika::cli
