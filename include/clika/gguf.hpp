#pragma once
// A small, strict reader and writer for GGUF v3 (ggml's model file format), so that clika can make and inspect test
// models without linking llama.cpp/ggml.
//
// Layout (all little-endian; see llama.cpp's ggml/include/gguf.h):
//   "GGUF" | u32 version | i64 tensor count | i64 KV count
//   KV pairs:   string key | u32 value type | value       (array: u32 element type | u64 count | elements;
//                                                          a nested array element is again type | count | elements)
//   tensor infos: string name | u32 n_dims | i64 ne[n_dims] | u32 ggml type | u64 offset into the data section
//   zero padding to the alignment | tensor data, each tensor padded to the alignment
// Strings are u64 length + UTF-8 bytes (no terminator); bools are one byte. The alignment is the u32 KV
// "general.alignment" when present (a power of two), else 32. Shapes are in ggml order: ne[0] varies fastest, so a
// matrix with ne = {n_in, n_out} is stored as n_out rows of n_in values.
//
// Errors are clika::Error (bad_input) naming the file, the byte offset and what was being read.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "clika/error.hpp"
#include "clika/half.hpp"

namespace clika::gguf {

static_assert(std::endian::native == std::endian::little, "the GGUF reader/writer assumes a little-endian host");

inline constexpr std::uint32_t magic = 0x46554747;  // "GGUF" read as a little-endian u32
inline constexpr std::uint32_t version = 3;
inline constexpr std::uint32_t default_alignment = 32;
inline constexpr std::string_view alignment_key = "general.alignment";
inline constexpr std::size_t max_dims = 4;       // GGML_MAX_DIMS
inline constexpr std::size_t max_name_bytes = 63;  // GGML_MAX_NAME - 1

// ---- metadata values ---------------------------------------------------------------------------------------------

// The GGUF value types; the numbers are the file's and also the index of the alternative in Value::Data.
enum class ValueType : std::uint32_t {
    u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12,
};
inline constexpr std::uint32_t value_type_count = 13;

[[nodiscard]] constexpr std::string_view value_type_name(ValueType t) noexcept {
    constexpr std::string_view names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};
    auto i = static_cast<std::uint32_t>(t);
    return i < value_type_count ? names[i] : std::string_view("invalid");
}

struct Value;

// A homogeneous array: every item has type `type` (for nested arrays each item is itself an Array).
struct Array {
    ValueType type = ValueType::u8;
    std::vector<Value> items;
};

struct Value {
    // Alternative i holds ValueType(i).
    using Data = std::variant<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t, std::int32_t, float, bool,
                              std::string, Array, std::uint64_t, std::int64_t, double>;
    Data data;

    [[nodiscard]] ValueType type() const noexcept { return static_cast<ValueType>(data.index()); }
    template <class T>
    [[nodiscard]] bool is() const noexcept { return std::holds_alternative<T>(data); }
    template <class T>
    [[nodiscard]] const T& as() const { return std::get<T>(data); }

    // Any integer type (u8..i64, bool excluded) as a signed 64-bit value; nullopt for other types or a u64 above 2^63.
    [[nodiscard]] std::optional<std::int64_t> as_integer() const {
        return std::visit([](const auto& v) -> std::optional<std::int64_t> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool> || !std::is_integral_v<T>) {
                return std::nullopt;
            } else if constexpr (std::is_same_v<T, std::uint64_t>) {
                if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
                return static_cast<std::int64_t>(v);
            } else {
                return static_cast<std::int64_t>(v);
            }
        }, data);
    }

    static Value u8(std::uint8_t v) { return {v}; }
    static Value i8(std::int8_t v) { return {v}; }
    static Value u16(std::uint16_t v) { return {v}; }
    static Value i16(std::int16_t v) { return {v}; }
    static Value u32(std::uint32_t v) { return {v}; }
    static Value i32(std::int32_t v) { return {v}; }
    static Value f32(float v) { return {v}; }
    static Value boolean(bool v) { return {v}; }
    static Value str(std::string v) { return {std::move(v)}; }
    static Value u64(std::uint64_t v) { return {v}; }
    static Value i64(std::int64_t v) { return {v}; }
    static Value f64(double v) { return {v}; }
    // An array of `type`; every item must have that type (checked when written).
    static Value array(ValueType type, std::vector<Value> items) { return {Array{type, std::move(items)}}; }
    static Value strings(const std::vector<std::string>& items) {
        Array a{ValueType::string, {}};
        a.items.reserve(items.size());
        for (const std::string& s : items) a.items.push_back(str(s));
        return {std::move(a)};
    }
};

[[nodiscard]] inline bool operator==(const Value& a, const Value& b);
[[nodiscard]] inline bool operator==(const Array& a, const Array& b) { return a.type == b.type && a.items == b.items; }
[[nodiscard]] inline bool operator==(const Value& a, const Value& b) { return a.data == b.data; }

struct KeyValue {
    std::string key;
    Value value;
    std::uint64_t offset = 0;  // reader: byte offset of the entry (its key) in the file
    std::uint64_t size = 0;    // reader: bytes of the whole entry (key, type, value)
};

// ---- tensor types -----------------------------------------------------------------------------------------------

// ggml's type ids (ggml.h). Only f32, f16 and bf16 are converted to floats; the others are known by size only.
enum class TensorType : std::uint32_t { f32 = 0, f16 = 1, bf16 = 30 };

struct TensorTypeTraits {
    std::uint32_t id;
    std::string_view name;
    std::uint32_t block;  // elements per block
    std::uint32_t bytes;  // bytes per block
};

[[nodiscard]] inline std::optional<TensorTypeTraits> tensor_type_traits(std::uint32_t id) noexcept {
    static constexpr TensorTypeTraits table[] = {
        {0, "f32", 1, 4},         {1, "f16", 1, 2},          {2, "q4_0", 32, 18},      {3, "q4_1", 32, 20},
        {6, "q5_0", 32, 22},      {7, "q5_1", 32, 24},       {8, "q8_0", 32, 34},      {9, "q8_1", 32, 36},
        {10, "q2_K", 256, 84},    {11, "q3_K", 256, 110},    {12, "q4_K", 256, 144},   {13, "q5_K", 256, 176},
        {14, "q6_K", 256, 210},   {15, "q8_K", 256, 292},    {16, "iq2_xxs", 256, 66}, {17, "iq2_xs", 256, 74},
        {18, "iq3_xxs", 256, 98}, {19, "iq1_s", 256, 50},    {20, "iq4_nl", 32, 18},   {21, "iq3_s", 256, 110},
        {22, "iq2_s", 256, 82},   {23, "iq4_xs", 256, 136},  {24, "i8", 1, 1},         {25, "i16", 1, 2},
        {26, "i32", 1, 4},        {27, "i64", 1, 8},         {28, "f64", 1, 8},        {29, "iq1_m", 256, 56},
        {30, "bf16", 1, 2},       {34, "tq1_0", 256, 54},    {35, "tq2_0", 256, 66},   {39, "mxfp4", 32, 17},
        {40, "nvfp4", 64, 36},    {41, "q1_0", 128, 18},     {42, "q2_0", 64, 18},
    };
    for (const TensorTypeTraits& t : table)
        if (t.id == id) return t;
    return std::nullopt;
}

[[nodiscard]] inline std::string tensor_type_name(std::uint32_t id) {
    if (auto t = tensor_type_traits(id)) return std::string(t->name);
    return fmt::format("type {}", id);
}

// Half precision: clika/half.hpp, shared with the plugins.
using half::bf16_to_f32;
using half::f16_to_f32;
using half::f32_to_bf16;
using half::f32_to_f16;

// ---- reading ------------------------------------------------------------------------------------------------------

struct TensorInfo {
    std::string name;
    std::vector<std::int64_t> shape;  // ggml ne order, 1..4 dims
    std::uint32_t type = 0;           // ggml type id (TensorType for the float types)
    std::uint64_t offset = 0;         // relative to the data section
    std::uint64_t n_bytes = 0;        // size of the data (unpadded)
    std::uint64_t info_offset = 0;    // byte offset of this tensor info in the file

    [[nodiscard]] std::int64_t elements() const noexcept {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        return n;
    }
};

class File {
public:
    // Parses header, KV pairs and tensor infos (not the data) and checks that every tensor lies inside the file.
    [[nodiscard]] static File read(const std::filesystem::path& path);

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::uint32_t version() const noexcept { return version_; }
    [[nodiscard]] std::uint64_t alignment() const noexcept { return alignment_; }
    [[nodiscard]] std::uint64_t data_offset() const noexcept { return data_offset_; }  // absolute, aligned
    [[nodiscard]] std::uint64_t file_size() const noexcept { return file_size_; }
    [[nodiscard]] const std::vector<KeyValue>& kvs() const noexcept { return kvs_; }
    [[nodiscard]] const std::vector<TensorInfo>& tensors() const noexcept { return tensors_; }

    [[nodiscard]] const Value* find(std::string_view key) const noexcept {
        for (const KeyValue& kv : kvs_)
            if (kv.key == key) return &kv.value;
        return nullptr;
    }
    [[nodiscard]] const TensorInfo* find_tensor(std::string_view name) const noexcept {
        for (const TensorInfo& t : tensors_)
            if (t.name == name) return &t;
        return nullptr;
    }

    // Typed access to a required key: clika::Error naming file and key when it is missing or of another type.
    template <class T>
    [[nodiscard]] const T& get(std::string_view key) const {
        const Value* v = find(key);
        if (v == nullptr) fail_input({path_, 0, std::string(key)}, "missing GGUF key");
        if (!v->is<T>()) {
            fail_input({path_, 0, std::string(key)}, fmt::format("GGUF key has type {}", value_type_name(v->type())),
                       std::string(value_type_name(static_cast<ValueType>(Value::Data(std::in_place_type<T>).index()))));
        }
        return v->as<T>();
    }

    // The raw bytes of a tensor's data.
    [[nodiscard]] std::vector<std::uint8_t> tensor_bytes(const TensorInfo& t) const;
    // A tensor's values as floats (f32, f16 or bf16 tensors; other types are refused).
    [[nodiscard]] std::vector<float> tensor_floats(const TensorInfo& t) const;
    [[nodiscard]] std::vector<float> tensor_floats(std::string_view name) const {
        const TensorInfo* t = find_tensor(name);
        if (t == nullptr) fail_input({path_, 0, {}}, fmt::format("no tensor named \"{}\" in the GGUF file", name));
        return tensor_floats(*t);
    }

private:
    std::filesystem::path path_;
    std::uint32_t version_ = 0;
    std::uint64_t alignment_ = default_alignment;
    std::uint64_t data_offset_ = 0;
    std::uint64_t file_size_ = 0;
    std::vector<KeyValue> kvs_;
    std::vector<TensorInfo> tensors_;
};

namespace detail {

// Sequential reads with the byte offset kept, so that every error can say where the file went wrong.
class Cursor {
public:
    explicit Cursor(const std::filesystem::path& path) : path_(path), in_(path, std::ios::binary) {
        if (!in_) fail_input({path_, 0, {}}, "cannot open the GGUF file", "a readable file");
        std::error_code ec;
        size_ = std::filesystem::file_size(path_, ec);
        if (ec) fail_input({path_, 0, {}}, fmt::format("cannot read the GGUF file's size: {}", ec.message()));
    }

    [[nodiscard]] std::uint64_t pos() const noexcept { return pos_; }
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    [[nodiscard]] std::uint64_t remaining() const noexcept { return size_ - pos_; }

    [[noreturn]] void fail(std::uint64_t at, const std::string& what, const std::string& expected = {}) const {
        fail_input({path_, 0, {}}, fmt::format("malformed GGUF at byte {}: {}", at, what), expected);
    }

    void need(std::uint64_t n, std::string_view what) const {
        if (n > remaining())
            fail(pos_, fmt::format("truncated file: {} needs {} bytes but the file ends at byte {}", what, n, size_));
    }

    void bytes(void* out, std::size_t n, std::string_view what) {
        need(n, what);
        if (n != 0 && !in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n)))
            fail(pos_, fmt::format("read error in {}", what));
        pos_ += n;
    }

    template <class T>
    T scalar(std::string_view what) {
        T v{};
        bytes(&v, sizeof v, what);
        return v;
    }

    std::string string(std::string_view what) {
        const std::uint64_t at = pos_;
        const auto n = scalar<std::uint64_t>(what);
        if (n > remaining())
            fail(at, fmt::format("truncated file: {} has length {} but only {} bytes follow", what, n, remaining()));
        std::string s(static_cast<std::size_t>(n), '\0');
        bytes(s.data(), s.size(), what);
        return s;
    }

    void skip_to(std::uint64_t offset, std::string_view what) {
        if (offset > size_) fail(pos_, fmt::format("truncated file: {} starts at byte {} but the file ends at byte {}", what, offset, size_));
        in_.seekg(static_cast<std::streamoff>(offset));
        pos_ = offset;
    }

private:
    std::filesystem::path path_;
    std::ifstream in_;
    std::uint64_t size_ = 0;
    std::uint64_t pos_ = 0;
};

// Smallest encoded size of one item of a type, to refuse absurd counts before allocating.
[[nodiscard]] constexpr std::uint64_t min_item_bytes(ValueType t) noexcept {
    switch (t) {
        case ValueType::u8: case ValueType::i8: case ValueType::boolean: return 1;
        case ValueType::u16: case ValueType::i16: return 2;
        case ValueType::u32: case ValueType::i32: case ValueType::f32: return 4;
        case ValueType::u64: case ValueType::i64: case ValueType::f64: case ValueType::string: return 8;
        case ValueType::array: return 12;
    }
    return 1;
}

inline ValueType read_type(Cursor& c, std::string_view what) {
    const std::uint64_t at = c.pos();
    const auto t = c.scalar<std::uint32_t>(what);
    if (t >= value_type_count) c.fail(at, fmt::format("{} is {}", what, t), "a GGUF value type 0..12");
    return static_cast<ValueType>(t);
}

inline Value read_value(Cursor& c, ValueType type, const std::string& what, int depth);

inline Array read_array_body(Cursor& c, const std::string& what, int depth) {
    if (depth > 8) c.fail(c.pos(), fmt::format("{}: arrays nested more than 8 deep", what));
    Array a;
    a.type = read_type(c, what + " (array element type)");
    const std::uint64_t at = c.pos();
    const auto n = c.scalar<std::uint64_t>(what + " (array length)");
    if (n > c.remaining() / min_item_bytes(a.type))
        c.fail(at, fmt::format("truncated file: {} claims {} elements of type {} but only {} bytes follow", what, n,
                               value_type_name(a.type), c.remaining()));
    a.items.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) a.items.push_back(read_value(c, a.type, what, depth + 1));
    return a;
}

inline Value read_value(Cursor& c, ValueType type, const std::string& what, int depth) {
    switch (type) {
        case ValueType::u8: return Value::u8(c.scalar<std::uint8_t>(what));
        case ValueType::i8: return Value::i8(c.scalar<std::int8_t>(what));
        case ValueType::u16: return Value::u16(c.scalar<std::uint16_t>(what));
        case ValueType::i16: return Value::i16(c.scalar<std::int16_t>(what));
        case ValueType::u32: return Value::u32(c.scalar<std::uint32_t>(what));
        case ValueType::i32: return Value::i32(c.scalar<std::int32_t>(what));
        case ValueType::f32: return Value::f32(c.scalar<float>(what));
        case ValueType::boolean: {
            const std::uint64_t at = c.pos();
            const auto b = c.scalar<std::uint8_t>(what);
            if (b > 1) c.fail(at, fmt::format("{}: bool byte is {}", what, b), "0 or 1");
            return Value::boolean(b != 0);
        }
        case ValueType::string: return Value::str(c.string(what));
        case ValueType::array: return Value{read_array_body(c, what, depth)};
        case ValueType::u64: return Value::u64(c.scalar<std::uint64_t>(what));
        case ValueType::i64: return Value::i64(c.scalar<std::int64_t>(what));
        case ValueType::f64: return Value::f64(c.scalar<double>(what));
    }
    c.fail(c.pos(), fmt::format("{}: invalid value type", what));
}

[[nodiscard]] inline std::uint64_t pad_to(std::uint64_t n, std::uint64_t alignment) noexcept {
    return (n + alignment - 1) / alignment * alignment;
}

}  // namespace detail

inline File File::read(const std::filesystem::path& path) {
    File f;
    f.path_ = path;
    detail::Cursor c(path);
    f.file_size_ = c.size();

    if (c.size() < 4) c.fail(0, fmt::format("truncated file: {} bytes, too short for the magic \"GGUF\"", c.size()));
    char m[4];
    c.bytes(m, 4, "magic");
    if (std::memcmp(m, "GGUF", 4) != 0) {
        std::string shown;
        for (char ch : m) shown += (ch >= 0x20 && ch < 0x7f) ? std::string(1, ch) : fmt::format("\\x{:02x}", static_cast<unsigned char>(ch));
        c.fail(0, fmt::format("not a GGUF file: magic is \"{}\"", shown), "\"GGUF\"");
    }
    f.version_ = c.scalar<std::uint32_t>("version");
    if (f.version_ != 2 && f.version_ != 3) {
        c.fail(4, fmt::format("unsupported GGUF version {}{}", f.version_, (f.version_ & 0xffffu) == 0 ? " (big-endian file?)" : ""),
               "version 2 or 3");
    }
    const auto n_tensors = c.scalar<std::int64_t>("tensor count");
    const auto n_kv = c.scalar<std::int64_t>("KV count");
    if (n_tensors < 0 || static_cast<std::uint64_t>(n_tensors) > c.remaining() / 24)
        c.fail(8, fmt::format("truncated file: tensor count {} does not fit in the {} bytes that follow", n_tensors, c.remaining()));
    if (n_kv < 0 || static_cast<std::uint64_t>(n_kv) > c.remaining() / 13)
        c.fail(16, fmt::format("truncated file: KV count {} does not fit in the {} bytes that follow", n_kv, c.remaining()));

    f.kvs_.reserve(static_cast<std::size_t>(n_kv));
    for (std::int64_t i = 0; i < n_kv; ++i) {
        KeyValue kv;
        kv.offset = c.pos();
        kv.key = c.string(fmt::format("key of KV pair {}", i));
        if (kv.key.empty()) c.fail(kv.offset, fmt::format("KV pair {} has an empty key", i));
        for (const KeyValue& seen : f.kvs_)
            if (seen.key == kv.key) c.fail(kv.offset, fmt::format("duplicate key \"{}\"", kv.key));
        const std::string what = fmt::format("value of \"{}\"", kv.key);
        const ValueType type = detail::read_type(c, fmt::format("type of \"{}\"", kv.key));
        kv.value = detail::read_value(c, type, what, 0);
        kv.size = c.pos() - kv.offset;
        f.kvs_.push_back(std::move(kv));
    }

    if (const Value* a = f.find(alignment_key)) {
        const KeyValue& kv = *std::find_if(f.kvs_.begin(), f.kvs_.end(), [](const KeyValue& x) { return x.key == alignment_key; });
        if (!a->is<std::uint32_t>())
            c.fail(kv.offset, fmt::format("\"general.alignment\" has type {}", value_type_name(a->type())), "u32");
        const std::uint32_t v = a->as<std::uint32_t>();
        if (v == 0 || (v & (v - 1)) != 0) c.fail(kv.offset, fmt::format("\"general.alignment\" is {}", v), "a power of two");
        f.alignment_ = v;
    }

    f.tensors_.reserve(static_cast<std::size_t>(n_tensors));
    for (std::int64_t i = 0; i < n_tensors; ++i) {
        TensorInfo t;
        t.info_offset = c.pos();
        t.name = c.string(fmt::format("name of tensor {}", i));
        if (t.name.size() > max_name_bytes)
            c.fail(t.info_offset, fmt::format("tensor name \"{}\" has {} bytes", t.name, t.name.size()), fmt::format("at most {}", max_name_bytes));
        for (const TensorInfo& seen : f.tensors_)
            if (seen.name == t.name) c.fail(t.info_offset, fmt::format("duplicate tensor name \"{}\"", t.name));
        const std::uint64_t dims_at = c.pos();
        const auto n_dims = c.scalar<std::uint32_t>(fmt::format("dimension count of tensor \"{}\"", t.name));
        if (n_dims == 0 || n_dims > max_dims)
            c.fail(dims_at, fmt::format("tensor \"{}\" has {} dimensions", t.name, n_dims), "1 to 4");
        std::uint64_t elements = 1;
        for (std::uint32_t d = 0; d < n_dims; ++d) {
            const std::uint64_t at = c.pos();
            const auto ne = c.scalar<std::int64_t>(fmt::format("dimension {} of tensor \"{}\"", d, t.name));
            if (ne < 0) c.fail(at, fmt::format("tensor \"{}\" has dimension {} = {}", t.name, d, ne), "a non-negative size");
            if (ne != 0 && elements > static_cast<std::uint64_t>(INT64_MAX) / static_cast<std::uint64_t>(ne))
                c.fail(at, fmt::format("tensor \"{}\" has more than 2^63 elements", t.name));
            elements *= static_cast<std::uint64_t>(ne);
            t.shape.push_back(ne);
        }
        const std::uint64_t type_at = c.pos();
        t.type = c.scalar<std::uint32_t>(fmt::format("type of tensor \"{}\"", t.name));
        const auto traits = tensor_type_traits(t.type);
        if (!traits) c.fail(type_at, fmt::format("tensor \"{}\" has unknown ggml type {}", t.name, t.type), "a ggml type id");
        if (static_cast<std::uint64_t>(t.shape[0]) % traits->block != 0)
            c.fail(type_at, fmt::format("tensor \"{}\" of type {} has {} values per row", t.name, traits->name, t.shape[0]),
                   fmt::format("a multiple of the block size {}", traits->block));
        // A byte count that wraps past 2^64 would pass the bounds check below with a few bytes for 2^62 values.
        if (elements / traits->block > UINT64_MAX / traits->bytes)
            c.fail(type_at, fmt::format("tensor \"{}\" of type {} has {} values, more bytes than a file can hold", t.name, traits->name, elements));
        t.n_bytes = elements / traits->block * traits->bytes;
        const std::uint64_t offset_at = c.pos();
        t.offset = c.scalar<std::uint64_t>(fmt::format("data offset of tensor \"{}\"", t.name));
        if (t.offset % f.alignment_ != 0)
            c.fail(offset_at, fmt::format("tensor \"{}\" has data offset {}", t.name, t.offset), fmt::format("a multiple of the alignment {}", f.alignment_));
        f.tensors_.push_back(std::move(t));
    }

    f.data_offset_ = detail::pad_to(c.pos(), f.alignment_);
    for (const TensorInfo& t : f.tensors_) {
        if (t.offset > f.file_size_ || t.n_bytes > f.file_size_ || f.data_offset_ + t.offset > f.file_size_ - t.n_bytes) {
            c.fail(t.info_offset, fmt::format("truncated file: the data of tensor \"{}\" ({} bytes at byte {}) ends past the end of the file at byte {}",
                                              t.name, t.n_bytes, f.data_offset_ + t.offset, f.file_size_));
        }
    }
    return f;
}

inline std::vector<std::uint8_t> File::tensor_bytes(const TensorInfo& t) const {
    detail::Cursor c(path_);
    c.skip_to(data_offset_ + t.offset, fmt::format("data of tensor \"{}\"", t.name));
    std::vector<std::uint8_t> out(static_cast<std::size_t>(t.n_bytes));
    c.bytes(out.data(), out.size(), fmt::format("data of tensor \"{}\"", t.name));
    return out;
}

inline std::vector<float> File::tensor_floats(const TensorInfo& t) const {
    if (t.type != 0 && t.type != 1 && t.type != 30)
        fail_input({path_, 0, {}}, fmt::format("tensor \"{}\" has type {}", t.name, tensor_type_name(t.type)), "f32, f16 or bf16");
    const std::vector<std::uint8_t> raw = tensor_bytes(t);
    std::vector<float> out(static_cast<std::size_t>(t.elements()));
    if (t.type == 0) {
        if (!raw.empty()) std::memcpy(out.data(), raw.data(), raw.size());  // an empty tensor's data() may be null
    } else {
        for (std::size_t i = 0; i < out.size(); ++i) {
            std::uint16_t h = 0;
            std::memcpy(&h, raw.data() + 2 * i, 2);
            out[i] = t.type == 1 ? f16_to_f32(h) : bf16_to_f32(h);
        }
    }
    return out;
}

// A tensor's values as floats straight from a GGUF file (f32, f16 or bf16 tensors).
[[nodiscard]] inline std::vector<float> read_tensor_floats(const std::filesystem::path& path, std::string_view name) {
    return File::read(path).tensor_floats(name);
}

// ---- writing ------------------------------------------------------------------------------------------------------

class Writer {
public:
    // Fills `out` (exactly the tensor's byte size) with the tensor's data when the file is written.
    using Fill = std::function<void(std::span<std::uint8_t> out)>;

    // Adds a KV pair, or replaces the value of an existing key in place (the order of first insertion is kept).
    void set(std::string key, Value value) {
        for (KeyValue& kv : kvs_) {
            if (kv.key == key) {
                kv.value = std::move(value);
                return;
            }
        }
        kvs_.push_back({std::move(key), std::move(value)});
    }
    [[nodiscard]] const std::vector<KeyValue>& kvs() const noexcept { return kvs_; }

    // A tensor whose data is produced at write time (keeps memory at one tensor for big models).
    void add_tensor(std::string name, std::vector<std::int64_t> shape, std::uint32_t type, Fill fill) {
        check_tensor(name, shape, type);
        tensors_.push_back({std::move(name), std::move(shape), type, std::move(fill)});
    }
    void add_tensor(std::string name, std::vector<std::int64_t> shape, TensorType type, Fill fill) {
        add_tensor(std::move(name), std::move(shape), static_cast<std::uint32_t>(type), std::move(fill));
    }
    // A tensor from float values, stored as f32, f16 or bf16.
    void add_tensor(std::string name, std::vector<std::int64_t> shape, TensorType type, std::vector<float> values) {
        std::int64_t n = 1;
        for (std::int64_t d : shape) n *= d;
        if (static_cast<std::int64_t>(values.size()) != n)
            throw Error(ErrorKind::internal, {}, fmt::format("GGUF writer: tensor \"{}\" has {} values for {} elements", name, values.size(), n));
        add_tensor(std::move(name), std::move(shape), type, [values = std::move(values), type](std::span<std::uint8_t> out) {
            encode_floats(values, type, out);
        });
    }

    // Converts floats into the bytes of an f32/f16/bf16 tensor; out.size() must be values.size() * element size.
    static void encode_floats(std::span<const float> values, TensorType type, std::span<std::uint8_t> out) {
        if (type == TensorType::f32) {
            std::memcpy(out.data(), values.data(), values.size() * 4);
            return;
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::uint16_t h = type == TensorType::f16 ? f32_to_f16(values[i]) : f32_to_bf16(values[i]);
            std::memcpy(out.data() + 2 * i, &h, 2);
        }
    }

    [[nodiscard]] std::uint64_t alignment() const {
        for (const KeyValue& kv : kvs_) {
            if (kv.key != alignment_key) continue;
            if (!kv.value.is<std::uint32_t>()) bad("\"general.alignment\" must be a u32");
            const std::uint32_t a = kv.value.as<std::uint32_t>();
            if (a == 0 || (a & (a - 1)) != 0) bad(fmt::format("\"general.alignment\" is {}, not a power of two", a));
            return a;
        }
        return default_alignment;
    }

    // Writes the whole file (to path + ".tmp", then renamed over path).
    void write(const std::filesystem::path& path) const {
        const std::uint64_t align = alignment();
        const std::filesystem::path tmp = path.string() + ".tmp";
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out) fail_input({path, 0, {}}, "cannot create the output file", "a writable path");
            std::uint64_t written = 0;
            auto put = [&](const void* p, std::size_t n) {
                out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
                written += n;
            };
            std::string head;
            append(head, magic);
            append(head, version);
            append(head, static_cast<std::int64_t>(tensors_.size()));
            append(head, static_cast<std::int64_t>(kvs_.size()));
            for (const KeyValue& kv : kvs_) {
                if (kv.key.empty()) bad("empty key");
                append_string(head, kv.key);
                append(head, static_cast<std::uint32_t>(kv.value.type()));
                append_value(head, kv.value, kv.key);
            }
            std::uint64_t offset = 0;
            std::vector<std::uint64_t> sizes;
            for (const PendingTensor& t : tensors_) {
                append_string(head, t.name);
                append(head, static_cast<std::uint32_t>(t.shape.size()));
                for (std::int64_t d : t.shape) append(head, d);
                append(head, t.type);
                append(head, offset);
                sizes.push_back(byte_size(t));
                offset += detail::pad_to(sizes.back(), align);
            }
            put(head.data(), head.size());
            pad(put, written, align);
            std::vector<std::uint8_t> buffer;
            for (std::size_t i = 0; i < tensors_.size(); ++i) {
                buffer.assign(static_cast<std::size_t>(sizes[i]), 0);
                tensors_[i].fill(buffer);
                put(buffer.data(), buffer.size());
                pad(put, written, align);
            }
            out.flush();
            if (!out) {
                out.close();
                std::filesystem::remove(tmp);
                fail_input({path, 0, {}}, "cannot write the output file (disk full?)");
            }
        }
        std::error_code ec;
        std::filesystem::rename(tmp, path, ec);
        if (ec) {
            std::filesystem::remove(tmp);
            fail_input({path, 0, {}}, fmt::format("cannot move the finished file into place: {}", ec.message()));
        }
    }

private:
    struct PendingTensor {
        std::string name;
        std::vector<std::int64_t> shape;
        std::uint32_t type;
        Fill fill;
    };

    [[noreturn]] static void bad(const std::string& what) { throw Error(ErrorKind::internal, {}, "GGUF writer: " + what); }

    void check_tensor(const std::string& name, const std::vector<std::int64_t>& shape, std::uint32_t type) const {
        if (name.empty() || name.size() > max_name_bytes) bad(fmt::format("tensor name \"{}\" must have 1 to {} bytes", name, max_name_bytes));
        for (const PendingTensor& t : tensors_)
            if (t.name == name) bad(fmt::format("duplicate tensor \"{}\"", name));
        if (shape.empty() || shape.size() > max_dims) bad(fmt::format("tensor \"{}\" must have 1 to 4 dimensions", name));
        for (std::int64_t d : shape)
            if (d < 0) bad(fmt::format("tensor \"{}\" has a negative dimension", name));
        const auto traits = tensor_type_traits(type);
        if (!traits) bad(fmt::format("tensor \"{}\" has unknown ggml type {}", name, type));
        if (shape[0] % traits->block != 0) bad(fmt::format("tensor \"{}\": row of {} is not a multiple of the block size", name, shape[0]));
    }

    [[nodiscard]] static std::uint64_t byte_size(const PendingTensor& t) {
        std::uint64_t n = 1;
        for (std::int64_t d : t.shape) n *= static_cast<std::uint64_t>(d);
        const auto traits = *tensor_type_traits(t.type);
        return n / traits.block * traits.bytes;
    }

    template <class Put>
    static void pad(Put& put, std::uint64_t written, std::uint64_t align) {
        static constexpr char zeros[256] = {};
        std::uint64_t n = detail::pad_to(written, align) - written;
        while (n > 0) {
            const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, sizeof zeros));
            put(zeros, k);
            n -= k;
        }
    }

    template <class T>
    static void append(std::string& out, T v) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        out.append(b, sizeof(T));
    }
    static void append_string(std::string& out, std::string_view s) {
        append(out, static_cast<std::uint64_t>(s.size()));
        out.append(s);
    }
    static void append_items(std::string& out, const Array& a, const std::string& key) {
        append(out, static_cast<std::uint32_t>(a.type));
        append(out, static_cast<std::uint64_t>(a.items.size()));
        for (const Value& item : a.items) {
            if (item.type() != a.type)
                bad(fmt::format("array \"{}\" of {} holds a {}", key, value_type_name(a.type), value_type_name(item.type())));
            append_value(out, item, key);
        }
    }
    static void append_value(std::string& out, const Value& v, const std::string& key) {
        std::visit([&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) append_string(out, x);
            else if constexpr (std::is_same_v<T, Array>) append_items(out, x, key);
            else if constexpr (std::is_same_v<T, bool>) append(out, static_cast<std::uint8_t>(x ? 1 : 0));
            else append(out, x);
        }, v.data);
    }

    std::vector<KeyValue> kvs_;
    std::vector<PendingTensor> tensors_;
};

}  // namespace clika::gguf
