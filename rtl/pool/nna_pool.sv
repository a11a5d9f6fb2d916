// nna_pool: the fused pooling unit between the SIMD unit and the write buffer
// (docs/architecture.md, "Fused pooling"; cpp-model/pool is the same contract in C++).
//
// pool_op none: a combinational pass-through, so non-pooled instructions keep their timing.
// Pooling: the unit takes one SIMD row per cycle into line buffer j (row j of the array owns 4N
// bytes; section pt lands at byte (pt mod 4)*N, so pixel p sits at p mod 4N). Row 0 of a section
// recomputes the range [lo, hi) of pooled rows the section completes; if it is not empty, the unit
// writes pooled rows lo .. hi-1 of the row's channel, one write per cycle. A "same" pool (3x3,
// stride 1, pad 1) writes them as runs of N pooled pixels, since its pooled plane has the
// convolution's shape and lane i pools around pixel P + i; any other pool writes one pooled row
// per write (pool::Writes). While it writes, the unit takes one more row if that row fills another
// line buffer; its writes wait and follow (the performance model follows the same rule).
//
// No divider on the per-row path: rows complete are tracked as (C, rem), pixels = C*out_w + rem,
// and the line-buffer offset of a window row as (word, byte) with word = 4N-buffer quarter, both
// advanced by additions. The aligner reads a window row as the two words it spans, shifted so its
// first pixel lands at column 0.
`include "nna_assert.svh"

module nna_pool (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   start_i,       // before an instruction's first row
  // instruction fields, stable from start_i to the end of the instruction, already legal
  input  nna_isa_pkg::pool_op_e  pool_op_i,
  input  logic [7:0]             pool_size_i,   // 2 or 3
  input  logic [7:0]             pool_stride_i, // 1 or 2
  input  logic [7:0]             pool_pad_i,    // 0 .. size/2
  input  logic [15:0]            out_h_i,       // convolution output, before pooling
  input  logic [15:0]            out_w_i,       // <= N
  input  logic [15:0]            pix_tiles_i,   // sections: ceil(out_h*out_w / N)
  input  logic                   out_signed_i,
  // rows leaving the SIMD unit, in the engine's loop order
  input  logic                   in_valid_i,
  output logic                   in_ready_o,
  input  logic [nna_cfg_pkg::ArrayCols*8-1:0] in_data_i,  // lane i = pixel pt*N + i
  input  logic [31:0]            in_addr_i,     // out_addr + co*out_plane_stride + pt*N
  input  logic [nna_cfg_pkg::ArrayCols-1:0]   in_mask_i,  // lanes of existing pixels
  input  logic [15:0]            in_pt_i,       // section
  input  logic [15:0]            in_row_i,      // row j of the channel tile; 0 starts a section
  // SRAM writes towards the write buffer
  output logic                   out_valid_o,
  input  logic                   out_ready_i,
  output logic [nna_cfg_pkg::ArrayCols*8-1:0] out_data_o,
  output logic [31:0]            out_addr_o,
  output logic [nna_cfg_pkg::ArrayCols-1:0]   out_mask_o,
  output logic                   idle_o         // no pending emission
);
  localparam int unsigned N  = nna_cfg_pkg::ArrayCols;
  localparam int unsigned M  = nna_cfg_pkg::ArrayRows;
  localparam int unsigned BB = (N > 1) ? $clog2(N) : 1;  // byte within a word (0 .. N-1)
  localparam int unsigned OB = 2 + BB;                   // line-buffer offset: {word, byte}
  localparam int unsigned JB = (M > 1) ? $clog2(M) : 1;

  // ---------------------------------------------------------------------------------------------
  // Window and sizes (legal fields: pad <= 1, stride 1 or 2).
  logic pool_on, s2, k3, pd;
  assign pool_on = (pool_op_i != nna_isa_pkg::PoolNone);
  assign s2 = (pool_stride_i == 8'd2);
  assign k3 = (pool_size_i == 8'd3);
  assign pd = (pool_pad_i != 8'd0);
  logic run;  // "same" pool: runs of N pooled pixels per write
  assign run = k3 && !s2 && pd;

  logic [16:0] ph_span, pw_span;  // out + 2pad - size (>= 0 when legal)
  logic [16:0] ph_n, pw_n;
  assign ph_span = 17'(out_h_i) + 17'({pd, 1'b0}) - 17'(pool_size_i);
  assign pw_span = 17'(out_w_i) + 17'({pd, 1'b0}) - 17'(pool_size_i);
  assign ph_n = (ph_span >> s2) + 17'd1;
  assign pw_n = (pw_span >> s2) + 17'd1;

  // Whole rows per section and the leftover pixels: 8-bit operands (N constant, out_w <= N).
  logic [7:0] w8, sec_rows, sec_rem;
  assign w8 = (out_w_i[7:0] == 8'd0) ? 8'd1 : out_w_i[7:0];  // never 0 (pool_op none)
  assign sec_rows = 8'(N) / w8;
  assign sec_rem  = 8'(N) % w8;

  // Offset arithmetic: o + amt (amt <= 2N) modulo 4N in {word, byte} form.
  function automatic logic [OB-1:0] off_add(input logic [OB-1:0] o, input logic [9:0] amt);
    logic [11:0] s;
    logic [1:0] w;
    s = 12'(o[BB-1:0]) + 12'(amt);
    w = o[OB-1:BB];
    if (s >= 12'(2 * N)) begin
      s = s - 12'(2 * N);
      w = w + 2'd2;
    end else if (s >= 12'(N)) begin
      s = s - 12'(N);
      w = w + 2'd1;
    end
    off_add = {w, s[BB-1:0]};
  endfunction

  logic [9:0] step_w, step_ph;  // out_w, stride*out_w
  assign step_w  = 10'(out_w_i[7:0]);
  assign step_ph = s2 ? {1'b0, out_w_i[7:0], 1'b0} : 10'(out_w_i[7:0]);
  logic [OB-1:0] off_tile;      // window row -pad of pooled row 0: (-pad*out_w) mod 4N
  assign off_tile = pd ? {2'd3, BB'(N - 32'(out_w_i[7:0]))} : '0;
  logic [9:0] step_emit;        // window-row offset advance per write
  assign step_emit = run ? 10'(N) : step_ph;
  logic [31:0] plane_px;        // convolution pixels per channel
  assign plane_px = 32'(out_h_i) * 32'(out_w_i[7:0]);

  // ---------------------------------------------------------------------------------------------
  // Section state and the emission.
  logic [15:0]   c_q;                     // conv rows complete
  logic [7:0]    rem_q;                   // pixels beyond them
  logic [15:0]   lo_q, hi_q;              // pooled rows the current section completes
  logic [OB-1:0] off_lo_q, off_hi_q;      // window-row offsets of pooled rows lo and hi
  logic [31:0]   plo_q, phi_q;            // plane offsets lo*pw_n, hi*pw_n
  // The writes of one taken row: the row being written (cur_q) and the row taken meanwhile,
  // whose writes follow (pend_q).
  typedef struct packed {
    logic          valid;  // writes are due
    logic          sec;    // of the latest section: its end is where the next section starts
    logic [15:0]   ph;     // pooled row being written
    logic [OB-1:0] off;    // its window row 0 offset
    logic [31:0]   base;   // plane base address
    logic [31:0]   poff;   // plane offset of the write (ph*pw_n)
    logic [31:0]   fin;    // plane offset of pooled row hi: hi*pw_n
    logic [JB-1:0] j;      // line buffer of the row
  } writes_t;
  writes_t       cur_q, pend_q, taken;
  logic [7:0]    c0_q;                    // run: column of the write's first pixel

  logic [31:0] step_off;  // plane offset advance per write
  assign step_off = run ? 32'(N) : 32'(pw_n);
  logic take, accept, emit_fire, emit_last, to_current;
  // A row written into another line buffer than the one being read cannot disturb the writes.
  assign take       = !cur_q.valid || (!pend_q.valid && JB'(in_row_i) != cur_q.j);
  assign accept     = pool_on && in_valid_i && take;
  assign emit_fire  = cur_q.valid && out_ready_i;
  assign emit_last  = emit_fire && (cur_q.poff + step_off >= cur_q.fin);
  assign to_current = !cur_q.valid || emit_last;  // the taken row's writes come next

  // Row 0 of a section: the new range. Section 0 starts from nothing.
  logic          first_sec, last_sec, carry;
  logic [15:0]   c0, c_new, lo_new, hi_new;
  logic [7:0]    rem0, rem_new;
  logic [8:0]    rem_sum;
  logic [OB-1:0] off_lo_new;
  logic [31:0]   plo_new;
  logic [16:0]   c_pad;  // C + pad - size (signed in 17 bits)
  assign first_sec  = (in_pt_i == 16'd0);
  assign last_sec   = (in_pt_i + 16'd1 == pix_tiles_i);
  assign c0         = first_sec ? 16'd0 : c_q;
  assign rem0       = first_sec ? 8'd0 : rem_q;
  assign rem_sum    = 9'(rem0) + 9'(sec_rem);
  assign carry      = (rem_sum >= 9'(w8));
  assign rem_new    = carry ? 8'(rem_sum - 9'(w8)) : rem_sum[7:0];
  assign c_new      = last_sec ? out_h_i : c0 + 16'(sec_rows) + 16'(carry);
  assign c_pad      = 17'(c_new) + 17'(pd) - 17'(pool_size_i);
  assign lo_new     = first_sec ? 16'd0 : hi_q;
  assign off_lo_new = first_sec ? off_tile : off_hi_q;
  assign plo_new    = first_sec ? 32'd0 : phi_q;
  always_comb begin
    if (c_new >= out_h_i)  hi_new = ph_n[15:0];
    else if (c_pad[16])    hi_new = 16'd0;
    else if ((c_pad >> s2) + 17'd1 >= ph_n) hi_new = ph_n[15:0];
    else                   hi_new = 16'((c_pad >> s2) + 17'd1);
  end

  logic          sec_start;
  logic [15:0]   row_lo, row_hi;
  logic [OB-1:0] row_off;
  logic [31:0]   row_plo;
  assign sec_start = (in_row_i == 16'd0);
  assign row_lo  = sec_start ? lo_new : lo_q;
  assign row_hi  = sec_start ? hi_new : hi_q;
  assign row_off = sec_start ? off_lo_new : off_lo_q;
  assign row_plo = sec_start ? plo_new : plo_q;
  always_comb begin
    taken.valid = row_lo < row_hi;
    taken.sec   = 1'b1;
    taken.ph    = row_lo;
    taken.off   = row_off;
    taken.base  = in_addr_i - 32'(in_pt_i) * 32'(N);
    taken.poff  = row_plo;
    taken.fin   = 32'(row_hi) * 32'(pw_n);
    taken.j     = JB'(in_row_i);
  end

  logic [OB-1:0] off_next, off_end;
  logic [8:0]    c0_sum;
  assign off_next = off_add(cur_q.off, step_emit);
  assign off_end  = off_add(cur_q.off, 10'(cur_q.fin - cur_q.poff));  // run: the last write's end
  assign c0_sum   = 9'(c0_q) + 9'(sec_rem);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_q      <= '0;
      rem_q    <= '0;
      lo_q     <= '0;
      hi_q     <= '0;
      off_lo_q <= '0;
      off_hi_q <= '0;
      plo_q    <= '0;
      phi_q    <= '0;
      cur_q    <= '0;
      pend_q   <= '0;
      c0_q     <= '0;
    end else begin
      if (start_i) begin
        cur_q.valid  <= 1'b0;
        pend_q.valid <= 1'b0;
        lo_q         <= '0;
        hi_q         <= '0;
      end
      if (emit_fire) begin
        cur_q.ph   <= cur_q.ph + 16'd1;
        cur_q.off  <= off_next;
        cur_q.poff <= cur_q.poff + step_off;
        c0_q       <= (c0_sum >= 9'(w8)) ? 8'(c0_sum - 9'(w8)) : c0_sum[7:0];
        if (emit_last) begin
          // A row of an older section (the next one started while it waited) leaves the range.
          if (cur_q.sec) begin
            off_hi_q <= run ? off_end : off_next;
            phi_q    <= cur_q.fin;
          end
          cur_q        <= pend_q;
          pend_q.valid <= 1'b0;
          c0_q         <= '0;
        end
      end
      if (accept) begin
        if (sec_start) begin
          c_q       <= c_new;
          rem_q     <= rem_new;
          lo_q      <= lo_new;
          hi_q      <= hi_new;
          off_lo_q  <= off_lo_new;
          off_hi_q  <= off_lo_new;  // stays there if the section completes nothing
          plo_q     <= plo_new;
          phi_q     <= plo_new;
          cur_q.sec <= 1'b0;  // the row being written, if any, is of an older section now
        end
        if (to_current) begin
          cur_q <= taken;
          c0_q  <= '0;
        end else begin
          pend_q <= taken;
        end
      end
    end
  end

  // Line buffers: word {j, w} holds section w (mod 4) of row j's channel.
  logic [N*8-1:0] lb_q [M*4];
  always_ff @(posedge clk_i) begin
    if (accept) lb_q[{JB'(in_row_i), in_pt_i[1:0]}] <= in_data_i;
  end

  // ---------------------------------------------------------------------------------------------
  // The write at cur_q.poff of line buffer cur_q.j, in one block computed only while emitting, so
  // that the simulator skips it on every other cycle (pass-through, idle), where it dominated the
  // block's cost. Window rows are read as N+2 columns from one before the row's offset, so that a
  // run's lanes 0 and N-1 see their left and right neighbours; column e of that read is pixel
  // offset - 1 + e.
  localparam int unsigned EW = N + 2;               // columns of a window-row read
  localparam int unsigned EB = $clog2(EW);
  localparam int unsigned PB = $clog2(2 * N + 1);   // doubling steps of the row-start pattern
  logic [OB-1:0]      off_dr [3];  // window row dr's offset
  logic [3*N*8-1:0]   trio;        // the three words around a window row
  logic [EW*8-1:0]    win [3];     // window rows, column e = pixel offset - 1 + e
  logic [2:0]         row_ok;      // row mode: window row exists (0 <= r < out_h)
  logic [17:0]        r;           // window row, signed
  logic [2*N:0]       starts;      // run: bit x set when x is a multiple of out_w
  logic [N:0]         row_start;   // run: lane i's pixel starts a convolution row
  logic signed [33:0] top_from;    // run: columns e >= top_from have a row above
  logic signed [33:0] bot_to;      // run: columns e < bot_to have a row below
  logic [31:0]        run_left;    // run: lanes of the write
  logic               ok;
  logic signed [9:0]  col_max [EW]; // per column: max and sum of the existing window rows
  logic signed [12:0] col_sum [EW];
  logic [7:0]         b;
  logic signed [9:0]  v;           // a byte as int8 or uint8
  logic signed [9:0]  m;           // per lane: max and sum over the existing columns
  logic signed [12:0] s;
  logic [17:0]        c;           // row mode: column, signed
  logic [23:0]        prod;        // sum*R + 2^15 modulo 2^24: exact in the bits kept
  logic [N*8-1:0]     pooled;
  logic [N-1:0]       pooled_mask;
  always_comb begin
    off_dr[0] = cur_q.off;
    off_dr[1] = off_add(cur_q.off, step_w);
    off_dr[2] = off_add(cur_q.off, {step_w[8:0], 1'b0});
    trio = '0;
    win[0] = '0;
    win[1] = '0;
    win[2] = '0;
    row_ok = '0;
    r = '0;
    starts = '0;
    row_start = '0;
    top_from = '0;
    bot_to = '0;
    run_left = '0;
    ok = 1'b0;
    b = '0;
    v = '0;
    m = '0;
    s = '0;
    c = '0;
    prod = '0;
    pooled = '0;
    pooled_mask = '0;
    for (int e = 0; e < EW; e++) begin
      col_max[e] = '0;
      col_sum[e] = '0;
    end
    if (cur_q.valid) begin
      for (int dr = 0; dr < 3; dr++) begin
        trio = {lb_q[{cur_q.j, off_dr[dr][OB-1:BB] + 2'd1}], lb_q[{cur_q.j, off_dr[dr][OB-1:BB]}],
                lb_q[{cur_q.j, off_dr[dr][OB-1:BB] - 2'd1}]};
        win[dr] = (EW*8)'(trio >> {10'(off_dr[dr][BB-1:0]) + 10'(N - 1), 3'b0});
        r = (s2 ? {1'b0, cur_q.ph, 1'b0} : 18'(cur_q.ph)) - 18'(pd) + 18'(dr);
        row_ok[dr] = (dr < 2 || k3) && !r[17] && (r < 18'(out_h_i));
      end
      // Run: the write covers pixels cur_q.poff .. cur_q.poff + N-1 of the plane (pw_n = out_w),
      // lane i in column (c0_q + i) mod out_w. Row starts repeat every out_w: doubling a 1 at
      // bit 0.
      starts = (2*N+1)'(1);
      for (int k = 0; k < PB; k++) starts = starts | (starts << (32'(out_w_i[7:0]) << k));
      row_start = (N+1)'(starts >> c0_q);
      top_from = 34'(out_w_i[7:0]) + 34'sd1 - 34'(cur_q.poff);
      bot_to = 34'(plane_px) - 34'(out_w_i[7:0]) - 34'(cur_q.poff) + 34'sd1;
      run_left = cur_q.fin - cur_q.poff;
      for (int e = 0; e < EW; e++) begin
        col_max[e] = -10'sd512;
        for (int dr = 0; dr < 3; dr++) begin
          b = win[dr][8*e +: 8];
          v = out_signed_i ? {{2{b[7]}}, b} : {2'b00, b};
          if (!run)         ok = row_ok[dr];
          else if (dr == 0) ok = $signed(34'(e)) >= top_from;
          else if (dr == 2) ok = $signed(34'(e)) < bot_to;
          else              ok = 1'b1;
          if (ok) begin
            if (v > col_max[e]) col_max[e] = v;
            col_sum[e] = col_sum[e] + 13'(v);
          end
        end
      end
      // Lane pw: run, columns pw-1 .. pw+1 within lane pw's row; else the columns
      // pw*stride - pad + dc that exist (0 <= col < out_w).
      for (int pw = 0; pw < N; pw++) begin
        m = -10'sd512;
        s = '0;
        for (int dc = 0; dc < 3; dc++) begin
          if (run) begin
            ok = (dc == 1) || (dc == 0 ? !row_start[pw] : !row_start[pw+1]);
            c = 18'(pw + dc - 1);
          end else begin
            c = (s2 ? 18'(2 * pw) : 18'(pw)) - 18'(pd) + 18'(dc);
            ok = (dc < 2 || k3) && !c[17] && c < 18'(out_w_i) && c < 18'(N);
          end
          if (ok) begin
            if (col_max[EB'(c + 18'd1)] > m) m = col_max[EB'(c + 18'd1)];
            s = s + col_sum[EB'(c + 18'd1)];
          end
        end
        // pool::Average: (sum*R + 2^15) >> 16, R = 16384 (2x2) or 7282 (3x3).
        prod = {{11{s[12]}}, s} * (k3 ? 24'd7282 : 24'd16384) + 24'd32768;
        pooled[8*pw +: 8] = (pool_op_i == nna_isa_pkg::PoolMax) ? m[7:0] : prod[23:16];
        pooled_mask[pw] = run ? 32'(pw) < run_left : 17'(pw) < pw_n;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  assign in_ready_o  = pool_on ? take : out_ready_i;
  assign out_valid_o = pool_on ? cur_q.valid : in_valid_i;
  assign out_data_o  = pool_on ? pooled : in_data_i;
  assign out_addr_o  = pool_on ? cur_q.base + cur_q.poff : in_addr_i;
  assign out_mask_o  = pool_on ? pooled_mask : in_mask_i;
  assign idle_o      = !cur_q.valid;

  `NNA_ASSERT_INIT(SectionArith8_A, N <= 255,
                   ("nna_pool: the section arithmetic is 8-bit, N = %0d", N))
  // A pooled row must fit the N lanes. 2x2/1 with pad 1 and out_w = N gives N + 1 columns, which
  // the legality rules (docs/architecture.md) do not exclude yet: say so rather than drop a byte.
  `NNA_ASSERT_IF(PooledRowFits_A, start_i && pool_on, pw_n <= 17'(N),
                 ("nna_pool: %0d pooled columns do not fit %0d lanes", pw_n, N))
endmodule
