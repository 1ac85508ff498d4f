#pragma once
// The GGUF reading cuda_native needs (keys, tensor shapes and bytes), on ggml's own gguf API from the llama.cpp build
// the plugin links anyway for its tokenizer: the plugin includes nothing of clika's core. Errors are
// std::runtime_error naming the file.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <ggml.h>
#include <gguf.h>

#include "clika/half.hpp"

namespace clika::cuda_native {

struct GgufTensor {
    std::string name;
    std::vector<std::int64_t> shape;  // ggml order: shape[0] is the contiguous dimension
    std::uint32_t type = 0;           // ggml_type
    std::size_t offset = 0;           // from the start of the file
    std::size_t n_bytes = 0;

    [[nodiscard]] std::int64_t elements() const noexcept {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
};

class GgufReader {
public:
    explicit GgufReader(std::filesystem::path path) : path_(std::move(path)) {
        ggml_context* meta = nullptr;
        gguf_init_params params{};
        params.no_alloc = true;
        params.ctx = &meta;
        gguf_ = gguf_init_from_file(path_.c_str(), params);
        if (gguf_ == nullptr) throw std::runtime_error(path_.string() + ": not a readable GGUF file");
        meta_.reset(meta);
        const std::size_t data = gguf_get_data_offset(gguf_);
        for (std::int64_t i = 0; i < gguf_get_n_tensors(gguf_); ++i) {
            GgufTensor t;
            t.name = gguf_get_tensor_name(gguf_, i);
            const ggml_tensor* info = ggml_get_tensor(meta_.get(), t.name.c_str());
            for (int d = 0; d < ggml_n_dims(info); ++d) t.shape.push_back(info->ne[d]);
            t.type = static_cast<std::uint32_t>(gguf_get_tensor_type(gguf_, i));
            t.offset = data + gguf_get_tensor_offset(gguf_, i);
            t.n_bytes = gguf_get_tensor_size(gguf_, i);
            tensors_.push_back(std::move(t));
        }
    }
    GgufReader(const GgufReader&) = delete;
    GgufReader& operator=(const GgufReader&) = delete;
    ~GgufReader() { gguf_free(gguf_); }

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    // Integer keys of any width; nullopt when absent; an error naming the type when the key is not an integer.
    [[nodiscard]] std::optional<std::int64_t> integer(const std::string& key) const {
        const std::int64_t id = gguf_find_key(gguf_, key.c_str());
        if (id < 0) return std::nullopt;
        switch (gguf_get_kv_type(gguf_, id)) {
            case GGUF_TYPE_UINT8: return gguf_get_val_u8(gguf_, id);
            case GGUF_TYPE_INT8: return gguf_get_val_i8(gguf_, id);
            case GGUF_TYPE_UINT16: return gguf_get_val_u16(gguf_, id);
            case GGUF_TYPE_INT16: return gguf_get_val_i16(gguf_, id);
            case GGUF_TYPE_UINT32: return gguf_get_val_u32(gguf_, id);
            case GGUF_TYPE_INT32: return gguf_get_val_i32(gguf_, id);
            case GGUF_TYPE_UINT64: return static_cast<std::int64_t>(gguf_get_val_u64(gguf_, id));
            case GGUF_TYPE_INT64: return gguf_get_val_i64(gguf_, id);
            default: throw std::runtime_error(path_.string() + ": GGUF key " + key + " is a " + type_name(id) + ", not an integer");
        }
    }
    [[nodiscard]] std::optional<double> number(const std::string& key) const {
        const std::int64_t id = gguf_find_key(gguf_, key.c_str());
        if (id < 0) return std::nullopt;
        if (gguf_get_kv_type(gguf_, id) == GGUF_TYPE_FLOAT32) return gguf_get_val_f32(gguf_, id);
        if (gguf_get_kv_type(gguf_, id) == GGUF_TYPE_FLOAT64) return gguf_get_val_f64(gguf_, id);
        return static_cast<double>(*integer(key));
    }
    [[nodiscard]] std::optional<std::string> string(const std::string& key) const {
        const std::int64_t id = gguf_find_key(gguf_, key.c_str());
        if (id < 0 || gguf_get_kv_type(gguf_, id) != GGUF_TYPE_STRING) return std::nullopt;
        return std::string(gguf_get_val_str(gguf_, id));
    }

    [[nodiscard]] const GgufTensor* find_tensor(const std::string& name) const {
        for (const GgufTensor& t : tensors_)
            if (t.name == name) return &t;
        return nullptr;
    }

    [[nodiscard]] std::vector<std::uint8_t> tensor_bytes(const GgufTensor& t) const {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path_.c_str(), "rb"), &std::fclose);
        std::vector<std::uint8_t> out(t.n_bytes);
        if (!file || std::fseek(file.get(), static_cast<long>(t.offset), SEEK_SET) != 0 ||
            std::fread(out.data(), 1, out.size(), file.get()) != out.size())
            throw std::runtime_error(path_.string() + ": cannot read the data of tensor " + t.name);
        return out;
    }

    // f32, f16 or bf16 tensors as floats.
    [[nodiscard]] std::vector<float> tensor_floats(const GgufTensor& t) const {
        if (t.type != GGML_TYPE_F32 && t.type != GGML_TYPE_F16 && t.type != GGML_TYPE_BF16)
            throw std::runtime_error(path_.string() + ": tensor " + t.name + " is " + tensor_type_name(t.type) + ", not f32, f16 or bf16");
        const std::vector<std::uint8_t> raw = tensor_bytes(t);
        std::vector<float> out(static_cast<std::size_t>(t.elements()));
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (t.type == GGML_TYPE_F32) {
                std::memcpy(&out[i], raw.data() + 4 * i, 4);
                continue;
            }
            std::uint16_t h = 0;
            std::memcpy(&h, raw.data() + 2 * i, 2);
            out[i] = t.type == GGML_TYPE_F16 ? half::f16_to_f32(h) : half::bf16_to_f32(h);
        }
        return out;
    }

    [[nodiscard]] static std::string tensor_type_name(std::uint32_t type) { return ggml_type_name(static_cast<ggml_type>(type)); }

private:
    [[nodiscard]] std::string type_name(std::int64_t id) const { return gguf_type_name(gguf_get_kv_type(gguf_, id)); }

    struct MetaFree {
        void operator()(ggml_context* c) const noexcept { ggml_free(c); }
    };

    std::filesystem::path path_;
    gguf_context* gguf_ = nullptr;
    std::unique_ptr<ggml_context, MetaFree> meta_;
    std::vector<GgufTensor> tensors_;
};

}  // namespace clika::cuda_native
