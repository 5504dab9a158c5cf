{{/*
One process as a Deployment; every component's template calls this with a dict:
  root        the chart's context ($)
  component   gateway, listener, pose-worker, ...
  values      the component's values (replicas, resources, env, probes, scheduling, ...)
  valuesKey   their key in values.yaml, for error messages
  command     the process's command
  port        (dict "name" "http"|"metrics" "number" N): the port its probes and Services use
  env         extra env entries (list of dicts), after the shared ConfigMap
  apiKeys     whether the process gets DANCE_API_KEYS
  autoscaled  leave `replicas` to KEDA's HPA
  image, pullPolicy  the image; resources and runtimeClassName may be overridden the same way
  workDir     emptyDir sizeLimit for DANCE_WORK_DIR, or empty for none
  terminationGracePeriodSeconds
*/}}
{{- define "dance-analysis.deployment" -}}
{{- $root := .root }}
{{- $v := .values }}
{{- $labelArgs := dict "root" $root "component" .component }}
{{- $metricsPort := ternary .port.number 0 (eq .port.name "metrics") }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "dance-analysis.componentName" $labelArgs }}
  labels:
    {{- include "dance-analysis.labels" $labelArgs | nindent 4 }}
spec:
  {{- if not .autoscaled }}
  replicas: {{ $v.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "dance-analysis.selectorLabels" $labelArgs | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "dance-analysis.labels" $labelArgs | nindent 8 }}
      annotations:
        {{- include "dance-analysis.podAnnotations" (dict "root" $root "metricsPort" $metricsPort "extra" $v.podAnnotations) | nindent 8 }}
    spec:
      serviceAccountName: {{ include "dance-analysis.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $root.Values.serviceAccount.automountToken }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .runtimeClassName }}
      runtimeClassName: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds }}
      containers:
        - name: {{ .component }}
          image: {{ .image | quote }}
          imagePullPolicy: {{ .pullPolicy }}
          command:
            {{- toYaml .command | nindent 12 }}
          ports:
            - name: {{ .port.name }}
              containerPort: {{ .port.number }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "dance-analysis.configMapName" $root }}
          env:
            {{- include "dance-analysis.secretEnv" (dict "root" $root "apiKeys" .apiKeys) | trim | nindent 12 }}
            {{- with .env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with include "dance-analysis.settingsEnv" (dict "where" (printf "%s.env" .valuesKey) "settings" $v.env) | trim }}
            {{- . | nindent 12 }}
            {{- end }}
          livenessProbe:
            {{- include "dance-analysis.probe" (dict "probe" $v.probes.liveness "port" .port.name) | nindent 12 }}
          readinessProbe:
            {{- include "dance-analysis.probe" (dict "probe" $v.probes.readiness "port" .port.name) | nindent 12 }}
          resources:
            {{- toYaml (default $v.resources .resources) | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .workDir }}
            - name: work
              mountPath: /work
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpDir.sizeLimit }}
        {{- if .workDir }}
        - name: work
          emptyDir:
            sizeLimit: {{ .workDir }}
        {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* Whether a worker pool is scaled by KEDA: (dict "root" $ "values" .Values.poseWorkers). */}}
{{- define "dance-analysis.autoscaled" -}}
{{- if and .root.Values.keda.enabled .values.autoscaling.enabled }}true{{ end }}
{{- end }}
