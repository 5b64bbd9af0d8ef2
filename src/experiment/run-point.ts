// One sweep point: an ordinary training run in runsDir/<point name>, with the budget the grid gave it.
import { runTraining } from "../run/train-run.js";
import type { PointJob } from "./point-job.js";

export async function runPoint(job: PointJob): Promise<void> {
  await runTraining({ config: job.config, deviceUri: job.deviceUri, outDir: job.runsDir, runDirName: job.point.name });
}
