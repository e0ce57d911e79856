export { runDemo, readTruth, lastFullQuarter, type DemoOptions, type DemoResult, type DemoStage } from './run-demo.js';
