// Unit tests of the math of course_lib/pages/js/nnlab.js (node --test tests/js; run by tests/test_js.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const zlib = require("node:zlib");
const NN = require("../../course_lib/pages/js/nnlab.js");

const close = (a, b, tol, what) => {
  assert.equal(a.length, b.length, what + ": lengths");
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test("softmax sums to 1, is shift-invariant and survives large scores", () => {
  const p = NN.softmax([1, 2, 3]);
  const e = [1, 2, 3].map(Math.exp), s = e.reduce((a, b) => a + b);
  close(p, e.map((v) => v / s), 1e-15, "softmax");
  close(NN.softmax([1001, 1002, 1003]), p, 1e-15, "shifted");
  assert.ok(NN.softmax([1e308, 0]).every(Number.isFinite));
});

test("affine computes W x + b, and the sparse path agrees with the dense one", () => {
  const W = [1, 2, 3, 4, 5, 6], b = [0.5, -1], x = [1, 0, 2];
  close(NN.affine(W, b, x, 2, 3), [0.5 + 1 + 6, -1 + 4 + 12], 0, "dense");
  close(NN.affine(W, b, x, 2, 3, [0, 2]), [7.5, 15], 0, "sparse");
});

test("mlpForward: sigmoid hidden layer, silenced units count as 0", () => {
  const D = 784, H = 2, x = new Float64Array(D); x[0] = 1; x[5] = 0.5;
  const W1 = new Float32Array(H * D); W1[0] = 2; W1[D + 5] = -4;
  const net = { W1, b1: [0, 1], W2: new Float32Array(20).map((_, i) => (i % 2 ? -1 : 1) * (i + 1) / 10), b2: new Float32Array(10), hidden: H, activation: "sigmoid" };
  const s = (v) => 1 / (1 + Math.exp(-v)), h = [s(2), s(1 - 2)];
  const out = NN.mlpForward(net, x);
  close(out.h, h, 1e-15, "h");
  close(out.logits, Array.from({ length: 10 }, (_, c) => net.W2[2 * c] * h[0] + net.W2[2 * c + 1] * h[1]), 1e-7, "logits");
  const off = NN.mlpForward(net, x, [1, 0]);
  assert.equal(off.h[1], 0);
  close(off.logits, Array.from({ length: 10 }, (_, c) => net.W2[2 * c] * h[0]), 1e-7, "masked logits");
});

test("preprocess: a filled square becomes a 20 x 20 block centred in 28 x 28", () => {
  const w = 100, r = new Float64Array(w * w);
  for (let i = 10; i < 50; i++) for (let j = 30; j < 70; j++) r[i * w + j] = 1;   // 40 x 40, off centre
  const x = NN.preprocess(r, w, w);
  let ink = 0, rows = new Set(), cols = new Set();
  x.forEach((v, i) => { if (v > 0) { ink += v; rows.add(Math.floor(i / 28)); cols.add(i % 28); } });
  assert.equal(Math.round(ink), 400);
  assert.deepEqual([Math.min(...rows), Math.max(...rows), Math.min(...cols), Math.max(...cols)], [4, 23, 4, 23]);
});

test("preprocess: aspect kept, centre of mass moved to the middle, empty stays empty", () => {
  const w = 60, h = 90, r = new Float64Array(w * h);
  for (let i = 0; i < 60; i++) for (let j = 0; j < 6; j++) r[i * w + j] = 1;        // a tall bar, top left
  const x = NN.preprocess(r, w, h);
  let m = 0, cx = 0, cy = 0, height = new Set(), width = new Set();
  x.forEach((v, i) => { m += v; cx += v * (i % 28); cy += v * Math.floor(i / 28); if (v > 0) { height.add(Math.floor(i / 28)); width.add(i % 28); } });
  assert.equal(height.size, 20); assert.equal(width.size, 2);              // 60 x 6 -> 20 x 2
  assert.ok(Math.abs(cx / m - 13.5) <= 0.5 && Math.abs(cy / m - 13.5) <= 0.5, `centre ${cx / m}, ${cy / m}`);
  assert.ok(NN.preprocess(new Float64Array(100), 10, 10).every((v) => v === 0));
});

test("boxWeights: each target cell averages its source cells (weights sum to 1)", () => {
  for (const [n, m] of [[7, 3], [280, 20], [3, 7], [5, 5]]) {
    const sums = new Float64Array(m);
    NN.boxWeights(n, m).forEach(([t, , w]) => { sums[t] += w; });
    close(sums, new Float64Array(m).fill(1), 1e-12, `${n}->${m}`);
  }
});

test("MT19937 gives std::mt19937's outputs", () => {
  const g = new NN.MT19937(5489);
  assert.equal(g.next(), 3499211612);
  for (let i = 1; i < 9999; i++) g.next();
  assert.equal(g.next(), 4123659995);   // the 10,000th output, as the C++ standard requires
});

test("randperm matches torch.randperm(10, generator=torch.Generator().manual_seed(0))", () => {
  // printed by PyTorch 2.x: torch.randperm(10, generator=torch.Generator().manual_seed(0)).tolist()
  assert.deepEqual(Array.from(NN.randperm(10, new NN.MT19937(0))), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
});

test("shiftImages: k = 0 copies, k > 0 moves whole images, seeded", () => {
  const X = new Float32Array(2 * 784); X[14 * 28 + 14] = 1; X[784 + 14 * 28 + 14] = 0.5;
  assert.deepEqual(NN.shiftImages(X, 2, 0, 1), X);
  const a = NN.shiftImages(X, 2, 3, 7), b = NN.shiftImages(X, 2, 3, 7);
  assert.deepEqual(a, b);
  for (let m = 0; m < 2; m++) {
    const i = a.subarray(m * 784, (m + 1) * 784).findIndex((v) => v > 0);
    assert.ok(Math.abs(Math.floor(i / 28) - 14) <= 3 && Math.abs((i % 28) - 14) <= 3);
  }
});

test("sgdStep is the gradient of the mean cross-entropy plus weight decay (finite differences)", () => {
  const n = 6, X = new Float32Array(n * 784), y = new Uint8Array(n), rand = NN.mulberry32(3);
  for (let m = 0; m < n; m++) { y[m] = m % 10; for (let k = 0; k < 40; k++) X[m * 784 + Math.floor(rand() * 784)] = Math.fround(rand()); }
  const ds = new NN.Digits(X, y, n), order = Int32Array.from([3, 1, 4, 0, 5, 2]);
  const W0 = Float64Array.from({ length: 7840 }, () => (rand() - 0.5) / 10), b0 = Float64Array.from({ length: 10 }, () => rand() - 0.5);
  const loss = (W, b) => {                       // mean cross-entropy of the batch order[0:4] + wd/2 |w|^2
    let L = 0, z = new Float64Array(10);
    for (let t = 0; t < 4; t++) { const m = order[t], p = NN.softmax(NN.logregScores(W, b, ds, m, z)); L -= Math.log(p[y[m]]); }
    let r = 0; W.forEach((v) => { r += v * v; }); b.forEach((v) => { r += v * v; });
    return L / 4 + 0.05 * r / 2;
  };
  const W = Float64Array.from(W0), b = Float64Array.from(b0);
  NN.sgdStep(W, b, ds, order, 0, 4, 1.0, 0.05, new Float64Array(7840), new Float64Array(10));
  for (const i of [0, 785, 3 * 784 + 400, 7839]) {
    const Wp = Float64Array.from(W0), Wm = Float64Array.from(W0); Wp[i] += 1e-6; Wm[i] -= 1e-6;
    const g = (loss(Wp, b0) - loss(Wm, b0)) / 2e-6;
    assert.ok(Math.abs((W0[i] - W[i]) - g) < 1e-7, `weight ${i}: step ${W0[i] - W[i]} vs gradient ${g}`);
  }
  const bp = Float64Array.from(b0), bm = Float64Array.from(b0); bp[2] += 1e-6; bm[2] -= 1e-6;
  assert.ok(Math.abs((b0[2] - b[2]) - (loss(W0, bp) - loss(W0, bm)) / 2e-6) < 1e-7);
});

test("b85ToBytes reads course_lib/pages/lab_blobs.py's base 85", () => {
  // base85(b"hello world!!") printed by Python; the last 3 bytes are padding
  assert.equal(Buffer.from(NN.b85ToBytes("GT|!yIdq:GJiv;3.YRPG")).subarray(0, 13).toString(), "hello world!!");
});

test("unpack reads raw float32 and the pixel runs of lab_blobs.py", async () => {
  // two rows of 10: ink 7, 255 at pixels 2, 3 of row 0, ink 9 at pixel 9 of row 1 (runs: 2 2 6 | 9 1)
  const runs = Uint8Array.from([2, 2, 6, 9, 1]), vals = Uint8Array.from([7, 255, 9]);
  const f = Float32Array.from([1.5, -2]);
  const payload = Buffer.concat([Buffer.from(f.buffer), Buffer.from(runs), Buffer.from(vals)]);
  const buf = await NN.gunzip(new Uint8Array(zlib.gzipSync(payload)));
  const out = NN.unpack(buf, { w: { dtype: "float32", shape: [2], offset: 0 },
    X: { dtype: "uint8", shape: [2, 10], offset: 8, enc: "runs", nnz: 3, mask_bytes: 5 } });
  assert.deepEqual(Array.from(out.w), [1.5, -2]);
  assert.deepEqual(Array.from(out.X), [0, 0, 7, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
  assert.equal(NN.pixels(Uint8Array.from([255, 1]))[1], Math.fround(1 / 255));
});

test("torchLinearInit draws PyTorch's start of MLP([784, 10], seed=0) bit for bit", () => {
  // printed by PyTorch 2.13: cl.MLP([784, 10], seed=0).layers[0].weight[0, :3], weight[9, 783], bias[:2]
  const { W, b } = NN.torchLinearInit(0, 784, 10);
  assert.deepEqual(Array.from(W.subarray(0, 3)), [-0.0005077932728454471, -0.023598650470376015, -0.032458655536174774]);
  assert.equal(W[7839], -0.019127467647194862);
  assert.deepEqual(Array.from(b.subarray(0, 2)), [-0.002486816607415676, 0.03169208765029907]);
});
