/** AWS IoT Jobs: the device API (JobsClient) and a runner dispatching jobs by type (JobRunner). */
export {
  JobsClient, type DescribeOptions, type DeviceStatus, type ExecutionAnswer, type ExecutionState, type ExecutionStatus, type JobExecution,
  type JobList, type JobSummary, type Notify, type NotifyNext, type StartNextOptions, type StatusDetails, type UpdateAnswer, type UpdateOptions,
} from './client.js';
export { JobRunner, type Job, type JobHandler, type JobRunnerOptions } from './runner.js';
