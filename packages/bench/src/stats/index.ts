export { EMPTY_SUMMARY, Samples, percentile, summarize } from './samples.js';
export { LogHistogram } from './histogram.js';
export type { HistogramData } from './histogram.js';
