# `clika score --model llama_13b` prints the paper's numbers.
execute_process(COMMAND ${CLIKA} score --data ${DATA} --model llama_13b --bootstrap 0
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clika score failed (${rc}): ${err}")
endif()
foreach(row "Basic RA +50.36 +15.98 +17.95" "Factual RA +79.28 +7.49 +42.19" "en-CO \\(Factual\\) +- +0.8327 +0.8975")
  if(NOT out MATCHES "${row}")
    message(FATAL_ERROR "missing row matching '${row}' in:\n${out}")
  endif()
endforeach()
