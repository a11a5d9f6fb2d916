# Copies spec/, breaks one value and expects nnagen to fail with a sentence that names the file
# and the key: a configuration value, then a register's reset_param, width, reset and offset.
# expect_rejected(<file under spec/> <text> <broken text> <expected message regex>)
function(expect_rejected file from to expected)
  file(REMOVE_RECURSE ${WORK})
  file(COPY ${SRC}/spec DESTINATION ${WORK})
  file(READ ${WORK}/spec/${file} text)
  string(REPLACE "${from}" "${to}" text "${text}")
  file(WRITE ${WORK}/spec/${file} "${text}")
  execute_process(COMMAND ${NNAGEN} --spec ${WORK}/spec --sv ${WORK}/sv --cpp ${WORK}/cpp --docs ${WORK}/docs
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "nnagen accepted ${file} with '${to}'")
  endif()
  if(NOT err MATCHES "${expected}")
    message(FATAL_ERROR "unexpected message: ${err}")
  endif()
  message(STATUS "nnagen said: ${err}")
endfunction()

expect_rejected(configs/tiny.yaml "banks: 8" "banks: 6"
                "tiny.yaml: sram.banks and sram.bank_word_bytes must be powers of two")
expect_rejected(csr.yaml "reset_param: watchdog_cycles" "reset_param: watchdog"
                "csr.yaml register 'watchdog_cycles': reset_param 'watchdog' is not a configuration key")
expect_rejected(csr.yaml "bits: 16" "bits: 40"
                "csr.yaml register 'prog_dram_hi': bits 40 is not 1..32")
expect_rejected(csr.yaml "reset: 0x7" "reset: 0xF"
                "csr.yaml register 'irq_enable': reset 15 does not fit in 3 bits")
expect_rejected(csr.yaml "offset: 0x64" "offset: 0x60"
                "csr.yaml register 'sram_ctrl': offset 96 is taken by register 'programs_done'")
