// Error-class co-simulations (--inject CLASS): one well-defined corruption of a compiled bundle
// per error class, made after compiling and before the golden model and the RTL run, so that both
// see the same program and the testbench requires the RTL's status, err_code, err_instr and irq
// to equal the golden model's prediction. `abort` corrupts nothing: the host aborts the run
// (--abort-at) and restarts it.
#pragma once

#include <string>

#include "bundle/bundle.h"
#include "nna/configs.h"

namespace nna::tb {

enum class Inject {
  kNone,
  kIllegalOpcode,
  kIllegalField,
  kDramRange,
  kWatchdog,
  kSramRange,
  kAbort,
  kRace,
  kEmptyProgram,
  kIllegalWaiting,
  kStallThenOpcode,
  kDramPartialRead,
  kDramRangePrefetch,
  // sequencer and SIMD checks (issue 20 coverage)
  kSimdLenZero,
  kSimdLenOver,
  kProgramCut,
  kSimdComparePred0,
  kSimdPredWriteRange,
  kSimdPredReadRange,
  kSimdBadDtype,
  kSimdLdparamImm,
  kSimdBadOp,
  kSimdDstRange,
  kSimdSrcARange,
  kSimdSrcBRange,
  // program load (issue 20 coverage)
  kProgSramRange,
  kProgWordsHuge,
  kProgDramRange,
  kProgDramPartial,
  kDmaWrite4k,
  // DRAM addresses and strides at their extremes (issue 20 coverage)
  kDmaReadHigh,
  kDmaWriteHigh,
  kProgDramHigh,
  kDmaStrideHuge,
  kDmaPlaneStrideHuge,
  // SIMD program slots and ignored parameter bits (issue 20 coverage)
  kSimdEverySlotOpcode,
  kSimdEverySlotField,
  kParamsIgnoredBits,
  // The compute instruction's checks (issue 20 coverage): the first of the classes of the table
  // kComputeChecks in inject.cpp, which follow it, one value per row. Keep it last.
  kComputeCheck
};

// "illegal_opcode", ... ("none" for kNone).
const char* ToString(Inject cls);
// The class called name; throws InputError (one sentence listing the classes) otherwise.
Inject ParseInject(const std::string& name);

// Rewrites bundle's program in its DRAM image (and the instruction's disassembly) for cls:
//   illegal_opcode  the first compute instruction's opcode byte becomes the first unused opcode
//   illegal_field   the first compute instruction's stride_h becomes 0 (must be at least 1)
//   dram_range      the last DMA_WRITE's dram_addr points past the DRAM image (DECERR)
//   watchdog        the first compute instruction also waits for a flag no instruction sets
//   sram_range      the first DMA_READ's SRAM rows start so that the second half runs past the SRAM
//   race            the first DMA that waits for a flag to be clear (a buffer's reload, frames >
//                   buffers) no longer waits: the golden model reports the race and the run stops
//                   as bad input before the RTL runs
// and three corruptions where the RTL and the golden model once disagreed (issue 20):
//   empty_program   prog_words 0: illegal_field at the program load
//   illegal_waiting the first compute instruction gets stride_h 0 and waits for a flag nobody
//                   sets: it never starts, so it is never checked: watchdog at it
//   stall_then_opcode  the first compute instruction waits for a flag nobody sets and the last
//                   instruction gets an unused opcode: the decoder finds the opcode first, but
//                   the stuck instruction is earlier in program order: watchdog at it
//   dram_partial_read  the first DMA_READ's rows start so that their second half runs past the
//                   DRAM image: the beats inside it are written, then axi_error at it (make fuzz)
//   dram_range_prefetch  the last DMA_READ before the first compute instruction reads a page past
//                   the DRAM image; a compute instruction that does not wait for it starts with it
//                   and completes (make fuzz, on fig6_two_buffers: its next frame's input)
// sequencer and SIMD checks (issue 20 coverage), each illegal_field at the instruction named:
//   simd_len_zero   the first compute instruction's simd_len byte becomes 0, and it waits for a
//                   flag no instruction sets: it never starts, so only the decoder can find it
//   simd_len_over   the same with simd_len max_simd_instrs + 1
//   program_cut     prog_words ends one word before the end of the last instruction of several
//                   words: the program ends inside it
//   simd_compare_p0, simd_pred_write_range, simd_pred_read_range, simd_bad_dtype,
//   simd_ldparam_imm  the first compute instruction's first SIMD instruction becomes one that
//                   fails one check of docs/simd.md "Legality": a compare writing p0, a compare
//                   writing p<simd_preds>, a FUSED_RELU predicated on p<simd_preds>, an ADD with
//                   a dtype that is no dtype value, an LDPARAM of parameter kLastParam + 1
//   simd_bad_op, simd_dst_range, simd_src_a_range, simd_src_b_range  the same with an op value that
//                   is no SIMD op (illegal_opcode), and an ADD writing v<simd_regs>, reading
//                   v<simd_regs> as src_a, as src_b (illegal_field)
// and the program load's own errors, and a DMA case no test reached (issue 20 coverage):
//   prog_sram_range  prog_sram so that the program's second half runs past the SRAM: sram_range
//                   at the load
//   prog_words_huge  prog_words 2^19 (one DMA row holds at most 2^24 - 1 bytes): illegal_field at
//                   the load where the SRAM holds it (fsd), else sram_range (tiny: the SRAM check
//                   comes first)
//   prog_dram_range  prog_dram a page past the DRAM image: axi_error at the load
//   prog_dram_partial  prog_dram so that the program's second half runs past the DRAM image: the
//                   beats inside it are written to SRAM (a DMA_READ like any other), then
//                   axi_error at the load (the golden model once wrote none)
//   dma_write_4k    not an error: the last DMA_WRITE's output region moves to the end of a grown
//                   DRAM image, 40 bytes before a 4 KB boundary, so its first row's burst is cut
//                   there; every output byte is still checked at the region's new place
// and DRAM addresses and strides with their high bits set (issue 20 coverage; a DRAM address
// stays below 2^48, where both the golden model and the RTL's 48-bit address agree):
//   dma_read_high   the first DMA_READ's dram_addr becomes 2^48 - 4096: axi_error at it, no byte
//                   written
//   dma_write_high  the last DMA_WRITE's dram_addr becomes 2^48 - 4096: axi_error at it
//   prog_dram_high  prog_dram 2^48 - 4096: axi_error at the load (instr 65535)
//   dma_stride_huge  the first DMA_READ of several rows gets dram_stride 2^24 - 1: its first row
//                   is written, every later one lies past the image: axi_error at it
//   dma_plane_stride_huge  the first DMA_READ with a planes word gets 2 planes and a
//                   dram_plane_stride that puts the second plane in the last pages below 2^48:
//                   the first plane is written, then axi_error at it
// and every slot of a SIMD program, and the parameter bits the hardware ignores (issue 20 coverage):
//   simd_every_slot_opcode  on a compute instruction with max_simd_instrs SIMD instructions (the
//                   directed tests simd_int_ops_<dtype>), instructions 1 to 15 each fail a check:
//                   an op value that is no SIMD op in the odd slots, a destination past the
//                   registers in the even ones; the earliest decides: illegal_opcode at it
//   simd_every_slot_field   the same with the kinds swapped: illegal_field (together the two put
//                   both verdicts in every slot)
//   params_ignored_bits  not an error: every channel_params record of the parameter regions gets
//                   its two reserved fields set (spec/isa.yaml: ignored); the results must not
//                   change. (The shift's bits 7:6 are ignored by FUSED_RELU only: LDPARAM returns
//                   the whole byte, so setting them changes a program that loads it.)
// and the compute instruction's checks (issue 20 coverage), each one row of a table: the first
// compute instruction of a kind gets field edits that fail exactly one check of
// rtl/compute/nna_compute.sv (one term of its bad_* lists; the precomputed fields that depend on an
// edited one are edited with it), so that a mutant of that check is caught:
//   compute_deconv_stride3  DECONV stride_h 3 (bad_deconv)
//   compute_ip_kernel       INNER_PRODUCT in_h one more than kernel_h (bad_ip)
//   compute_pool_bad_op, compute_pool_size4, compute_pool_stride3, compute_pool_pad,
//   compute_pool_order, compute_pool_wide  a pooled CONV with pool_op 3; pool_size 4; pool_stride
//                           3; pool_pad size/2 + 1; pixel_major over several channel tiles; a 2x2
//                           stride-1 window with pad 1 whose pooled width out_w + 1 exceeds the
//                           array's columns (bad_pool; out_row_stride follows the pooled width)
//   compute_pool_on_ip      an INNER_PRODUCT pooled 2x2 stride 2 pad 1 (bad_pool: only CONV pools)
//   compute_unpooled_size, compute_unpooled_stride, compute_unpooled_pad, compute_out_row_stride
//                           a CONV without pooling with pool_size 2; pool_stride 2; pool_pad 1;
//                           out_row_stride out_w + 1 (bad_pool)
//   compute_scale_kernel3x3, compute_scale_in2_addr, compute_scale_wt_addr  SCALE with a 3x3
//                           kernel; with in2_addr or wt_addr not 0 (bad_simd_only)
//   compute_eltwise_op      ELTWISE with eltwise_op 3, past max (bad_elt_op)
//   compute_conv_eltwise_op CONV with eltwise_op mul (bad_elt_op)
//   compute_dot_len, compute_wt_tile_bytes, compute_pix_tiles_over, compute_pix_tiles_under,
//   compute_ch_tiles, compute_group_tiles  a CONV's precomputed field one off (bad_conv)
//   compute_out_c_params    out_c simd.param_entries + 1 (bad_conv)
//   compute_reserved1, compute_reserved2, compute_reserved3  the reserved field 1 (bad_conv)
//   compute_wt_tile_wrap    a 65535-channel 255x255 kernel: dot_len*rows needs 35 bits and
//                           wt_tile_bytes holds its low 32 (bad_conv's 64-bit wt_tile_calc)
//   compute_pix_total       out_h = out_w = 65535: no pix_tiles covers the pixels (bad_conv's
//                           64-bit pix_total)
//   compute_range_in, compute_range_in_addr, compute_range_in2_addr, compute_range_wt_addr,
//   compute_range_param_addr, compute_range_out_addr, compute_range_out_plane_stride,
//   compute_range_pooled_out  sram_range (bad_range) from extreme values with legal fields: 65535
//                           input channels, rows and columns with strides 2^32 - 1 and 2^24 - 1
//                           (the input ends near 2^48; out_c one channel tile, so that the
//                           weights stay inside); or one address 2^32 - 1 (tensor b on an
//                           ELTWISE; the pooled output on a pooled CONV); out_c simd.param_entries
//                           with out_plane_stride 2^32 - 1 (the output ends near 2^40)
// Returns one sentence saying what was changed; kNone and kAbort change nothing. Throws
// InputError when the program has no instruction of the kind the class corrupts.
std::string InjectError(Inject cls, const HwConfig& cfg, Bundle& bundle);

}  // namespace nna::tb
