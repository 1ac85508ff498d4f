// clika's own GGUF reader (clika/gguf.hpp: clika inspect/make-model, the tests): header, KV pairs, tensor infos,
// the data of every tensor it accepted, and the check of what llama.cpp would abort on (clika/llama_metadata.hpp).
// Input: the file.
#include <cstddef>
#include <cstdint>

#include "clika/gguf.hpp"
#include "clika/llama_metadata.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace clika;
    const fuzz::fs::path file = fuzz::scratch() / "model.gguf";
    fuzz::write_bytes(file, {reinterpret_cast<const char*>(data), size});
    try {
        const gguf::File f = gguf::File::read(file);
        for (const gguf::KeyValue& kv : f.kvs()) {
            fuzz::require(f.find(kv.key) == &kv.value, "keys are unique");
            (void)kv.value.as_integer();
        }
        for (const gguf::TensorInfo& t : f.tensors()) {
            fuzz::require(f.data_offset() + t.offset + t.n_bytes <= f.file_size(), "a tensor's data lies inside the file");
            fuzz::require(f.tensor_bytes(t).size() == t.n_bytes, "tensor_bytes returns the tensor's bytes");
            if (t.type == 0 || t.type == 1 || t.type == 30)
                fuzz::require(f.tensor_floats(t).size() == static_cast<std::size_t>(t.elements()), "one float per element");
        }
        gguf::check_llama_cpp_metadata(f);
    } catch (const Error&) {
    }
    return 0;
}
