# CTests coverage.func_cov_merge and cosim.tiny.directed_bins (docs/coverage.md): tiny runs (TESTS,
# by default conv1x1_small and eltwise_add) each write their functional coverage bins; the merge
# must sum them to the known counts and report a known unhit bin, and a wrong expectation must
# fail the merge (the check can fail).
#   cmake -DSIM=<sim> -DVECTORS=<dir> -DOUT=<dir> -DMERGE=<func_cov.py> -DEXPECT=<a;b> -DUNHIT=<bin>
#         -DWRONG=<bin=n> [-DTESTS=<a;b>] -P func_cov_test.cmake
file(REMOVE_RECURSE ${OUT})
if(NOT TESTS)
  set(TESTS conv1x1_small eltwise_add)
endif()
set(yamls)
foreach(test ${TESTS})
  list(APPEND yamls ${OUT}/${test}/func_cov.yaml)
  execute_process(COMMAND ${SIM} --test ${test} --vectors ${VECTORS} --out ${OUT}/${test} --quiet
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${out}${err}\nthe co-simulation of ${test} exited ${rc}, expected 0")
  endif()
endforeach()
set(expects)
foreach(e ${EXPECT})
  list(APPEND expects --expect ${e})
endforeach()
execute_process(COMMAND python3 ${MERGE} ${yamls} ${expects} --expect-unhit ${UNHIT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the merge exited ${rc}: a known bin was miscounted or the unhit bin not reported")
endif()
list(LENGTH TESTS runs)
if(NOT out MATCHES "functional coverage of ${runs} runs")
  message(FATAL_ERROR "the merge did not count the ${runs} runs")
endif()
execute_process(COMMAND python3 ${MERGE} ${OUT} --expect ${WRONG}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "func_cov: bin .* counted [0-9]+, expected")
  message(FATAL_ERROR "${out}${err}\nthe wrong expectation ${WRONG} was not refused (exit ${rc})")
endif()
message("known bins counted, ${UNHIT} reported unhit, ${WRONG} refused: ${err}")
