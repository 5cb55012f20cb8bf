{{/* Names and labels shared by every Anneal resource. */}}
{{- define "anneal.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "anneal.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "anneal.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "anneal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "anneal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "anneal.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "anneal.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "anneal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "anneal.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "anneal.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "anneal.fullname" .)) -}}
{{- end -}}

{{/* Environment of every Anneal container: settings from values, secrets by reference. */}}
{{- define "anneal.env" -}}
- name: ANNEAL_BASE_URL
  value: {{ .Values.anneal.baseUrl | quote }}
- name: ANNEAL_ALLOWED_HOSTS
  value: {{ printf "%s,localhost" .Values.anneal.allowedHosts | quote }}
- name: ANNEAL_PRODUCTION
  value: {{ .Values.anneal.production | quote }}
- name: ANNEAL_LOG_FORMAT
  value: {{ .Values.anneal.logFormat | quote }}
- name: ANNEAL_LOG_LEVEL
  value: {{ .Values.anneal.logLevel | quote }}
- name: ANNEAL_DB_CONN_MAX_AGE
  value: {{ .Values.anneal.dbConnMaxAge | quote }}
- name: ANNEAL_DB_DISABLE_SERVER_SIDE_CURSORS
  value: {{ .Values.anneal.disableServerSideCursors | quote }}
- name: ANNEAL_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anneal.secretName" . }}
      key: secret-key
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "anneal.secretName" . }}
      key: database-url
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "anneal.secretName" . }}
      key: redis-url
- name: ANNEAL_LICENSE_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "anneal.secretName" . }}
      key: license-key
      optional: true
{{- if .Values.licenseFile.existingSecret }}
- name: ANNEAL_LICENSE_FILE
  value: /etc/anneal/license/license.key
{{- end }}
{{- range $name, $value := .Values.anneal.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Writable scratch space (the root filesystem is read-only) and the license file. */}}
{{- define "anneal.volumeMounts" -}}
- name: data
  mountPath: /var/lib/anneal
- name: tmp
  mountPath: /tmp
{{- if .Values.licenseFile.existingSecret }}
- name: license
  mountPath: /etc/anneal/license
  readOnly: true
{{- end }}
{{- end -}}

{{- define "anneal.volumes" -}}
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- if .Values.licenseFile.existingSecret }}
- name: license
  secret:
    secretName: {{ .Values.licenseFile.existingSecret }}
{{- end }}
{{- end -}}

{{- define "anneal.podSpecCommon" -}}
serviceAccountName: {{ include "anneal.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  {{- include "anneal.volumes" . | nindent 2 }}
{{- end -}}
