# A negative test: runs a simulator of deliberately broken RTL and passes only if the run fails
# (exit code other than 0 and other than 2 = bad input) and its output matches PATTERN, i.e. the
# scoreboard named what broke. ARGS (a list) adds options, e.g. a deliberately wrong prediction.
#   cmake -DSIM=<sim> -DTEST=<test> -DVECTORS=<dir> -DOUT=<dir> -DPATTERN=<regex> [-DARGS=<a;b>]
#         -P expect_failure.cmake
execute_process(
  COMMAND ${SIM} --test ${TEST} --vectors ${VECTORS} --out ${OUT} --quiet ${ARGS}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "negative test: the broken RTL passed ${TEST}; the scoreboard missed the bug")
elseif(rc EQUAL 2)
  message(FATAL_ERROR "negative test: the simulator rejected its input (exit 2), so the bug was never exercised")
elseif(NOT "${out}${err}" MATCHES "${PATTERN}")
  message(FATAL_ERROR "negative test: the run failed (exit ${rc}) but its output does not name '${PATTERN}'")
endif()
message("negative test: the broken RTL failed as it should (exit ${rc}, output names '${PATTERN}')")
