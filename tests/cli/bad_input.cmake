# Bad data: one line on stderr naming file and line, exit code 2.
file(REMOVE_RECURSE ${WORK})
file(WRITE ${WORK}/x_geo/en/llama_13b_res_bf16_add_simple_example.jsonl
  "{\"id\": 0, \"input\": \"q\", \"res\": \"A.\", \"label\": \"A\", \"uuid\": 0}\n{\"id\": 1, \"input\": \"q\", \"res\": \"A.\", \"uuid\": 1}\n")
execute_process(COMMAND ${CLIKA} score --data ${WORK} --model llama_13b --tasks x_geo --langs en
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "expected exit code 2, got ${rc}; stderr: ${err}")
endif()
if(NOT err MATCHES "llama_13b_res_bf16_add_simple_example.jsonl:2: field \"label\": missing field")
  message(FATAL_ERROR "stderr does not name file, line and field: ${err}")
endif()
execute_process(COMMAND ${CLIKA} score --data ${WORK}/nowhere --model llama_13b --tasks x_geo --langs en
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "file not found")
  message(FATAL_ERROR "a missing data folder should exit 2 naming the file; got ${rc}: ${err}")
endif()
