{{- define "capz.tags" -}}
owner: {{ .global.owner }}
cost-center: {{ .global.costCenter | quote }}
{{- end -}}
