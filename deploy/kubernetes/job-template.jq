# The Kubernetes pool's base job template, with the DuckDB volume and the tokens' Secret added to
# the flow-run container (the default template has neither):
#   prefect work-pool get-default-base-job-template --type kubernetes \
#     | jq -f deploy/kubernetes/job-template.jq > /tmp/leadflow-job.json
#   prefect work-pool create leadflow-kubernetes --type kubernetes --base-job-template /tmp/leadflow-job.json
.job_configuration.job_manifest.spec.template.spec.volumes =
    [{"name": "leadflow-data", "persistentVolumeClaim": {"claimName": "leadflow-data"}}]
| .job_configuration.job_manifest.spec.template.spec.containers[0].volumeMounts =
    [{"name": "leadflow-data", "mountPath": "/var/lib/leadflow"}]
| .job_configuration.job_manifest.spec.template.spec.containers[0].envFrom =
    [{"secretRef": {"name": "leadflow-tokens"}}]
