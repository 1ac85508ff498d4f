# What the wheel (pyproject.toml, scikit-build-core) holds, as install component "wheel":
#   <scripts>/clika                         the command, on PATH wherever pip puts scripts
#   <data>/lib/clika/plugins/               the plugins, where clika looks next to its executable (<exe>/../lib/clika/
#                                           plugins, include/clika/plugin_loader.hpp): `clika plugins` finds them
#   <data>/share/clika/vocab/               llama.cpp's vocab files `clika make-model` uses by default (llama-spm, qwen2)
#   <platlib>/clika/_core.*.so              the Python module's extension (its Python files: wheel.packages)
# pip installs <scripts> and <data> under the same prefix (the venv, ~/.local, ...), so the relative paths hold.
include_guard(GLOBAL)

install(TARGETS clika RUNTIME DESTINATION "${SKBUILD_SCRIPTS_DIR}" COMPONENT wheel)
foreach(_plugin clika_llamacpp clika_openai clika_onnx)
  if(TARGET ${_plugin})
    install(TARGETS ${_plugin} LIBRARY DESTINATION "${SKBUILD_DATA_DIR}/lib/clika/plugins" COMPONENT wheel)
  endif()
endforeach()
if(TARGET clika_onnx)
  install(FILES ${CLIKA_ORT_LIBRARY} DESTINATION "${SKBUILD_DATA_DIR}/lib/clika/plugins" COMPONENT wheel)
endif()
if(CLIKA_LLAMA_VOCAB_DIR)
  install(FILES "${CLIKA_LLAMA_VOCAB_DIR}/ggml-vocab-llama-spm.gguf" "${CLIKA_LLAMA_VOCAB_DIR}/ggml-vocab-qwen2.gguf"
          DESTINATION "${SKBUILD_DATA_DIR}/share/clika/vocab" COMPONENT wheel)
endif()
if(TARGET clika_python)
  install(TARGETS clika_python LIBRARY DESTINATION "${SKBUILD_PLATLIB_DIR}/clika" COMPONENT wheel)
endif()
