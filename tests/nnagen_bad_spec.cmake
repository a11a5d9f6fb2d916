# Copies spec/, breaks one configuration value and expects nnagen to fail with a sentence that
# names the file and the key.
file(REMOVE_RECURSE ${WORK})
file(COPY ${SRC}/spec DESTINATION ${WORK})
file(READ ${WORK}/spec/configs/tiny.yaml text)
string(REPLACE "banks: 8" "banks: 6" text "${text}")
file(WRITE ${WORK}/spec/configs/tiny.yaml "${text}")
execute_process(COMMAND ${NNAGEN} --spec ${WORK}/spec --sv ${WORK}/sv --cpp ${WORK}/cpp --docs ${WORK}/docs
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "nnagen accepted sram.banks = 6")
endif()
if(NOT err MATCHES "tiny.yaml: sram.banks and sram.bank_word_bytes must be powers of two")
  message(FATAL_ERROR "unexpected message: ${err}")
endif()
message(STATUS "nnagen said: ${err}")
