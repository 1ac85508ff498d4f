# A plugin's declared settings are options of `clika run`: --help with --plugin lists them, `clika plugins` too, values
# given reach the plugin, and an unknown option or a value outside its declaration is bad input (exit 2). The CLI knows
# no plugin by name: the example plugin's settings and (when built) the server plugin's come from the plugins.
file(REMOVE_RECURSE ${WORK})
file(WRITE ${WORK}/toy.model "the example plugin ignores its model file\n")
set(run ${CLIKA} run --data ${DATA} --plugin ${EXAMPLE} --model ${WORK}/toy.model --tasks x_geo --langs en --limit 3 --no-report)

function(expect_listed what out)
  foreach(line IN ITEMS
      "  --max-pass-sequences  sequences one score call may carry (what describe reports) (a whole number in 1..65536; default 256)"
      "  --[no-]generate       incremental greedy generation (CLIKA_CAP_GENERATE); off: clika re-scores the growing context (true or false; default true)")
    string(FIND "${out}" "${line}\n" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${what} does not list \"${line}\":\n${out}")
    endif()
  endforeach()
endfunction()

execute_process(COMMAND ${CLIKA} run --plugin ${EXAMPLE} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Settings of plugin example \\(--plugin ${EXAMPLE}")
  message(FATAL_ERROR "clika run --plugin example --help (${rc}):\n${out}\n${err}")
endif()
expect_listed("clika run --plugin example --help" "${out}")

get_filename_component(example_dir ${EXAMPLE} DIRECTORY)
execute_process(COMMAND ${CLIKA} plugins --plugin-path ${example_dir} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\nsettings of example \\(clika run --plugin example --NAME VALUE\\):\n")
  message(FATAL_ERROR "clika plugins (${rc}):\n${out}\n${err}")
endif()
expect_listed("clika plugins" "${out}")

# Given values reach the plugin; they change no number, so the predictions equal the defaults' byte for byte.
execute_process(COMMAND ${run} --out ${WORK}/defaults RESULT_VARIABLE rc ERROR_VARIABLE err)
execute_process(COMMAND ${run} --out ${WORK}/given --max-pass-sequences 2 --no-generate RESULT_VARIABLE rc2 ERROR_VARIABLE err2)
if(NOT rc EQUAL 0 OR NOT rc2 EQUAL 0)
  message(FATAL_ERROR "runs with and without settings failed (${rc}, ${rc2}):\n${err}\n${err2}")
endif()
file(GLOB_RECURSE predictions RELATIVE ${WORK}/defaults ${WORK}/defaults/*/predictions.jsonl)
if(predictions STREQUAL "")
  message(FATAL_ERROR "the run wrote no predictions")
endif()
foreach(f IN LISTS predictions)
  file(READ ${WORK}/defaults/${f} a)
  file(READ ${WORK}/given/${f} b)
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${f} differs with settings that change no number")
  endif()
endforeach()

# Bad input: one line naming the option or setting and what it takes, exit 2, no run directory.
foreach(case IN ITEMS
    "--max-pass-sequences;0;plugin example setting \"max_pass_sequences\": 0 is not in 1..65536 \\(expected a whole number in 1..65536\\)"
    "--max-pass-sequences;two;\"two\" is not a whole number in 1..65536"
    "--max-pass-sequences=1.5;1.5 is not a whole number"
    "--concurrency;4;clika run and plugin example do not know --concurrency \\(values are not shown\\) \\(expected clika run's options or plugin example's settings: --max-pass-sequences, --generate\\)"
    "--generate=maybe;\"maybe\" is not true or false")
  list(POP_BACK case pattern)
  execute_process(COMMAND ${run} --out ${WORK}/bad ${case} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "${pattern}" OR EXISTS ${WORK}/bad)
    message(FATAL_ERROR "clika run ... ${case}: expected exit 2 and \"${pattern}\", got ${rc}:\n${err}")
  endif()
endforeach()

if(OPENAI)
  execute_process(COMMAND ${CLIKA} run --plugin ${OPENAI} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  foreach(option --concurrency --top-logprobs --retries --max-requests --request-timeout --discovery-timeout --max-wait --max-response-bytes
                 --api-key-env --\\[no-\\]server-cache)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "\n  ${option} +[^\n]*default")
      message(FATAL_ERROR "clika run --plugin openai --help does not list ${option} (${rc}):\n${out}\n${err}")
    endif()
  endforeach()
endif()
