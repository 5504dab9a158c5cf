{{/* Names, labels and the DANCE_* environment shared by every template. */}}

{{- define "dance-analysis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dance-analysis.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's resource name; the full name is cut so "-webhook-dispatcher" still fits 63. */}}
{{- define "dance-analysis.componentName" -}}
{{- printf "%s-%s" (include "dance-analysis.fullname" .root | trunc 44 | trimSuffix "-") .component }}
{{- end }}

{{- define "dance-analysis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of a component: (dict "root" $ "component" "gateway"). */}}
{{- define "dance-analysis.labels" -}}
helm.sh/chart: {{ include "dance-analysis.chart" .root }}
{{ include "dance-analysis.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: dance-analysis
{{- end }}

{{- define "dance-analysis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dance-analysis.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "dance-analysis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dance-analysis.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dance-analysis.configMapName" -}}
{{- printf "%s-config" (include "dance-analysis.fullname" .) }}
{{- end }}

{{- define "dance-analysis.secretName" -}}
{{- printf "%s-secrets" (include "dance-analysis.fullname" .) }}
{{- end }}

{{/* image: (dict "repository" "tag" "pullPolicy") of the main image. */}}
{{- define "dance-analysis.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "dance-analysis.gpuImage" -}}
{{- $gpu := .Values.gpuWorkers.image }}
{{- $repository := default .Values.image.repository $gpu.repository }}
{{- $tag := default (printf "%s%s" (default .Chart.AppVersion .Values.image.tag) $gpu.tagSuffix) $gpu.tag }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/* A setting's value as the process reads it: strings as they are, lists joined with commas,
numbers and booleans as JSON (toString would print 4294967296 as 4.294967296e+09). */}}
{{- define "dance-analysis.settingValue" -}}
{{- if kindIs "string" . }}{{ . }}
{{- else if kindIs "slice" . }}{{ join "," . }}
{{- else }}{{ toJson . }}
{{- end }}
{{- end }}

{{/* The names this chart sets from its own values; `config` and the components' `env` may not set them. */}}
{{- define "dance-analysis.reservedSettings" -}}
nats_url s3_endpoint s3_public_endpoint s3_access_key s3_secret_key s3_region bucket api_keys stream_replicas work_stream worker_durable compare_stream compare_durable http_host http_port metrics_port work_dir shutdown_grace_s execution_providers
{{- end }}

{{/* Fails on a `config` or `env` key that the chart sets itself: (dict "where" "config" "settings" map). */}}
{{- define "dance-analysis.checkSettings" -}}
{{- $reserved := splitList " " (include "dance-analysis.reservedSettings" .) }}
{{- range $name, $_ := .settings }}
{{- if has $name $reserved }}
{{- fail (printf "%s.%s: %s is set by the chart's own values (see values.yaml), not here" $.where $name $name) }}
{{- end }}
{{- if or (hasPrefix "dance_" (lower $name)) (ne $name (lower $name)) }}
{{- fail (printf "%s.%s: use the setting's field name from infra/settings.py (e.g. log_level), not the variable" $.where $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The shared configuration (the ConfigMap's data), one `KEY: "value"` per line. */}}
{{- define "dance-analysis.configData" -}}
{{- include "dance-analysis.checkSettings" (dict "where" "config" "settings" .Values.config) }}
DANCE_NATS_URL: {{ required "nats.url is required" .Values.nats.url | quote }}
DANCE_S3_ENDPOINT: {{ required "s3.endpoint is required" .Values.s3.endpoint | quote }}
{{- with .Values.s3.publicEndpoint }}
DANCE_S3_PUBLIC_ENDPOINT: {{ . | quote }}
{{- end }}
DANCE_S3_REGION: {{ .Values.s3.region | quote }}
DANCE_BUCKET: {{ required "s3.bucket is required" .Values.s3.bucket | quote }}
DANCE_STREAM_REPLICAS: {{ include "dance-analysis.settingValue" .Values.streamReplicas | quote }}
DANCE_WORK_STREAM: {{ .Values.queues.workStream | quote }}
DANCE_WORKER_DURABLE: {{ .Values.queues.workConsumer | quote }}
DANCE_COMPARE_STREAM: {{ .Values.queues.compareStream | quote }}
DANCE_COMPARE_DURABLE: {{ .Values.queues.compareConsumer | quote }}
{{- /* Every server listens on all interfaces of its pod (the metrics servers bind this too). */}}
DANCE_HTTP_HOST: "0.0.0.0"
{{- range $name, $value := .Values.config }}
{{ printf "DANCE_%s" (upper $name) }}: {{ include "dance-analysis.settingValue" $value | quote }}
{{- end }}
{{- /* The root file system is read-only: caches and home go to /tmp, no byte-code is written. */}}
HOME: /tmp
PYTHONDONTWRITEBYTECODE: "1"
NUMBA_CACHE_DIR: /tmp/numba-cache
{{- end }}

{{/* Secret-backed settings: (dict "root" $ "apiKeys" bool). */}}
{{- define "dance-analysis.secretEnv" -}}
{{- $s3 := .root.Values.s3 }}
{{- $s3Secret := default (include "dance-analysis.secretName" .root) $s3.existingSecret }}
- name: DANCE_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s3Secret }}
      key: {{ ternary $s3.existingSecretKeys.accessKey "s3-access-key" (ne $s3.existingSecret "") }}
- name: DANCE_S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s3Secret }}
      key: {{ ternary $s3.existingSecretKeys.secretKey "s3-secret-key" (ne $s3.existingSecret "") }}
{{- if .apiKeys }}
{{- $keys := .root.Values.apiKeys }}
- name: DANCE_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ default (include "dance-analysis.secretName" .root) $keys.existingSecret }}
      key: {{ ternary $keys.existingSecretKey "api-keys" (ne $keys.existingSecret "") }}
{{- end }}
{{- end }}

{{/* A component's own settings as env entries: (dict "where" "gateway.env" "settings" map). */}}
{{- define "dance-analysis.settingsEnv" -}}
{{- include "dance-analysis.checkSettings" . }}
{{- range $name, $value := .settings }}
- name: {{ printf "DANCE_%s" (upper $name) }}
  value: {{ include "dance-analysis.settingValue" $value | quote }}
{{- end }}
{{- end }}

{{/* An httpGet probe: (dict "probe" {path, ...} "port" name). */}}
{{- define "dance-analysis.probe" -}}
httpGet:
  path: {{ .probe.path }}
  port: {{ .port }}
{{- with omit .probe "path" }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod annotations: config and secret checksums roll the pods when they change. */}}
{{- define "dance-analysis.podAnnotations" -}}
checksum/config: {{ include "dance-analysis.configData" .root | sha256sum }}
checksum/secret: {{ include (print .root.Template.BasePath "/secret.yaml") .root | sha256sum }}
{{- if and .metricsPort .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .metricsPort | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end }}
