export { runDemo, readTruth, type DemoOptions, type DemoResult, type DemoStage } from './run-demo.js';
