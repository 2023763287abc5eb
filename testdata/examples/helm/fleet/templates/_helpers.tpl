{{/* The cluster's name, shortened as Azure requires. */}}
{{- define "aks-platform.name" -}}
{{- .Values.cluster.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
