export { createHealthRouter } from './health.router';
