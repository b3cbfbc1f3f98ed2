/**
 * Normal equations accumulated over row chunks in float64: Σ w·xxᵀ (optional), Σ w·xyᵀ, and
 * the weighted first and second moments of x and y, without ever holding all of X. Rows are
 * shifted by the first chunk's mean before their products are summed (the "shifted data"
 * algorithm, Chan, Golub & LeVeque 1983), so centred moments keep their precision when the
 * mean is large against the spread; raw moments are recovered exactly as centred + W·μμᵀ.
 * Rows of weight w enter both sides as √w (weighted least squares, as the robust Procrustes
 * of SITTA applies its weights). Products run on the float64 panel kernel (gram-kernel.ts).
 */
import { CaptuneError } from '../errors/captune-error.js';
import { PanelGram, type PanelGramOptions } from './gram-kernel.js';

/** What a fit needs: products of x with itself too ('full'), or only with y ('cross'). */
export type ProductsWanted = 'full' | 'cross';

export interface NormalEquationsOptions extends PanelGramOptions {
  readonly dIn: number;
  readonly dOut: number;
  /** @default 'full' */
  readonly products?: ProductsWanted;
  /** Rows per kernel call (default 128: panels stay in L2). */
  readonly blockRows?: number;
  /** Names the data in errors (default "training pairs"). */
  readonly source?: string;
}

/** The accumulated system; every matrix row-major, centred on the weighted means. */
export interface NormalEquations {
  readonly dIn: number;
  readonly dOut: number;
  /** Rows seen (whatever their weights). */
  readonly rows: number;
  /** Σ w. */
  readonly weightSum: number;
  readonly meanX: Float64Array; // [dIn]
  readonly meanY: Float64Array; // [dOut]
  /** Σ w (x−μx)(x−μx)ᵀ, [dIn, dIn]; null when only cross products were accumulated. */
  readonly cxx: Float64Array | null;
  /** Σ w (x−μx)(y−μy)ᵀ, [dIn, dOut]. */
  readonly cxy: Float64Array;
  /** Σ w (x−μx)², [dIn]. */
  readonly sxx: Float64Array;
  /** Σ w (y−μy)², [dOut]. */
  readonly syy: Float64Array;
}

export class NormalEquationsAccumulator {
  readonly dIn: number;
  readonly dOut: number;
  readonly products: ProductsWanted;
  private readonly gram: PanelGram;
  private readonly blockRows: number;
  private readonly source: string;
  private shiftX: Float64Array | null = null;
  private shiftY: Float64Array | null = null;
  private readonly sumX: Float64Array;
  private readonly sumY: Float64Array;
  private readonly sqX: Float64Array;
  private readonly sqY: Float64Array;
  private weightSum = 0;
  private rowCount = 0;

  constructor(options: NormalEquationsOptions) {
    const { dIn, dOut } = options;
    for (const [name, d] of [['dIn', dIn], ['dOut', dOut]] as const) {
      if (!Number.isInteger(d) || d < 1) throw new CaptuneError(`normal equations: ${name} must be a positive integer, got ${d}`);
    }
    this.dIn = dIn;
    this.dOut = dOut;
    this.products = options.products ?? 'full';
    this.blockRows = options.blockRows ?? 128;
    this.source = options.source ?? 'training pairs';
    this.gram = new PanelGram(this.products === 'full' ? 'upper' : 'cross', Math.ceil(dIn / 4), Math.ceil(dOut / 4), this.blockRows, options);
    this.sumX = new Float64Array(dIn);
    this.sumY = new Float64Array(dOut);
    this.sqX = new Float64Array(dIn);
    this.sqY = new Float64Array(dOut);
  }

  /** True when the WebAssembly kernel does the products. */
  get usesWasm(): boolean {
    return this.gram.usesWasm;
  }

  get rows(): number {
    return this.rowCount;
  }

  /**
   * Adds `rows` pairs: `x` [rows, dIn], `y` [rows, dOut] row-major, optional `weights` [rows] ≥ 0.
   */
  accumulate(x: Float32Array | Float64Array, y: Float32Array | Float64Array, rows: number, weights?: ArrayLike<number>): void {
    const { dIn, dOut } = this;
    const where = `${this.source}, rows ${this.rowCount}..${this.rowCount + rows - 1}`;
    if (!Number.isInteger(rows) || rows < 0) throw new CaptuneError(`${this.source}: chunk row count must be a non-negative integer, got ${rows}`);
    if (x.length !== rows * dIn) throw new CaptuneError(`${where}: x has ${x.length} values, expected ${rows} × ${dIn}`);
    if (y.length !== rows * dOut) throw new CaptuneError(`${where}: y has ${y.length} values, expected ${rows} × ${dOut}`);
    if (weights && weights.length !== rows) throw new CaptuneError(`${where}: ${weights.length} weights for ${rows} rows`);
    if (rows === 0) return;
    if (!this.shiftX) {
      this.shiftX = columnMeans(x, rows, dIn);
      this.shiftY = columnMeans(y, rows, dOut);
    }
    for (let start = 0; start < rows; start += this.blockRows) {
      const n = Math.min(this.blockRows, rows - start);
      this.packBlock(x, y, start, n, weights);
      this.gram.run(n);
    }
    this.rowCount += rows;
  }

  private packBlock(x: ArrayLike<number>, y: ArrayLike<number>, start: number, n: number, weights?: ArrayLike<number>): void {
    const { dIn, dOut } = this;
    const sx = this.shiftX!;
    const sy = this.shiftY!;
    const panels = this.gram.panels;
    const yCol0 = 4 * this.gram.leftPanels; // y columns start after the padded x panels
    const padX = yCol0;
    const padY = 4 * this.gram.rightPanels;
    for (let k = 0; k < n; k++) {
      const row = start + k;
      const w = weights ? weights[row]! : 1;
      if (!(w >= 0) || !Number.isFinite(w)) throw new CaptuneError(`${this.source}, row ${this.rowCount + row}: weight ${w} is not a finite non-negative number`);
      const r = Math.sqrt(w);
      for (let j = 0; j < padX; j++) {
        let v = 0;
        if (j < dIn) {
          const raw = x[row * dIn + j]!;
          if (!Number.isFinite(raw)) throw new CaptuneError(`${this.source}, row ${this.rowCount + row}: x[${j}] is ${raw}`);
          v = raw - sx[j]!;
          this.sumX[j]! += w * v;
          this.sqX[j]! += w * v * v;
        }
        panels[PanelGram.panelIndex(n, k, j)] = r * v;
      }
      for (let j = 0; j < padY; j++) {
        let v = 0;
        if (j < dOut) {
          const raw = y[row * dOut + j]!;
          if (!Number.isFinite(raw)) throw new CaptuneError(`${this.source}, row ${this.rowCount + row}: y[${j}] is ${raw}`);
          v = raw - sy[j]!;
          this.sumY[j]! += w * v;
          this.sqY[j]! += w * v * v;
        }
        panels[PanelGram.panelIndex(n, k, yCol0 + j)] = r * v;
      }
      this.weightSum += w;
    }
  }

  /** The system so far, centred on the weighted means (the accumulator stays usable). */
  finish(): NormalEquations {
    const { dIn, dOut } = this;
    const W = this.weightSum;
    if (this.rowCount === 0 || !(W > 0)) throw new CaptuneError(`${this.source}: no rows with positive weight were given`);
    const dx = this.sumX.map((s) => s / W); // μx − shift
    const dy = this.sumY.map((s) => s / W);
    const meanX = this.shiftX!.map((s, j) => s + dx[j]!);
    const meanY = this.shiftY!.map((s, j) => s + dy[j]!);
    const g = this.gram.out;
    const ldg = this.gram.ldg;
    const yCol0 = this.products === 'full' ? 4 * this.gram.leftPanels : 0;
    const cxy = new Float64Array(dIn * dOut);
    for (let i = 0; i < dIn; i++) {
      for (let j = 0; j < dOut; j++) cxy[i * dOut + j] = g[i * ldg + yCol0 + j]! - W * dx[i]! * dy[j]!;
    }
    let cxx: Float64Array | null = null;
    if (this.products === 'full') {
      cxx = new Float64Array(dIn * dIn);
      for (let i = 0; i < dIn; i++) {
        for (let j = i; j < dIn; j++) {
          const v = g[i * ldg + j]! - W * dx[i]! * dx[j]!;
          cxx[i * dIn + j] = v;
          cxx[j * dIn + i] = v;
        }
      }
    }
    const sxx = this.sqX.map((s, j) => Math.max(0, s - W * dx[j]! * dx[j]!));
    const syy = this.sqY.map((s, j) => Math.max(0, s - W * dy[j]! * dy[j]!));
    return { dIn, dOut, rows: this.rowCount, weightSum: W, meanX, meanY, cxx, cxy, sxx, syy };
  }
}

function columnMeans(a: ArrayLike<number>, rows: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) m[j]! += a[r * d + j]!;
  for (let j = 0; j < d; j++) m[j] = Number.isFinite(m[j]!) ? m[j]! / rows : 0;
  return m;
}
