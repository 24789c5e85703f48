export { renderReport } from './html';
export type { ReportInput } from './html';
export { lineChart, niceTicks } from './svg';
export type { ChartSpec, Series } from './svg';
