# `clika plugins`: lists what --plugin-path finds (name, version, ABI, path) and refused plugins with the reason; exit 0.
file(REMOVE_RECURSE ${WORK})
get_filename_component(example_dir ${EXAMPLE} DIRECTORY)

execute_process(COMMAND ${CLIKA} plugins --plugin-path ${example_dir} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clika plugins exited ${rc}: ${err}")
endif()
if(NOT out MATCHES "\nexample +1\\.0\\.0 [^\n]* v2 +[^\n]*libclika_example\\.so")
  message(FATAL_ERROR "the example plugin is not listed with version, ABI and path:\n${out}")
endif()

# A copy found first shadows the build tree's plugin; broken plugins are listed as refused, and the exit code stays 0.
file(COPY ${EXAMPLE} DESTINATION ${WORK}/first)
execute_process(COMMAND ${CLIKA} plugins --plugin-path ${WORK}/first --plugin-path ${FIXTURES}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clika plugins with refused plugins exited ${rc}: ${err}")
endif()
string(FIND "${out}" "${WORK}/first/libclika_example.so\n" first_pos)
string(FIND "${out}" "${example_dir}/libclika_example.so  (shadowed by an earlier directory)" shadowed_pos)
if(first_pos EQUAL -1 OR shadowed_pos EQUAL -1 OR shadowed_pos LESS first_pos)
  message(FATAL_ERROR "expected the --plugin-path copy first and the build tree's plugin shadowed:\n${out}")
endif()
if(NOT out MATCHES "\nrefused:\n" OR NOT out MATCHES "wrong_abi +[^\n]*libclika_wrong_abi\\.so: plugin built for ABI v3, this clika speaks v2\n"
   OR NOT out MATCHES "garbage +[^\n]*libclika_garbage\\.so: cannot load plugin: ")
  message(FATAL_ERROR "refused plugins are not listed with their reason:\n${out}")
endif()
message(STATUS "${out}")
