"""AI incident records: their JSON Schema (built from the taxonomy and the specs), records pre-filled from
Alertmanager, post-incident reviews and the corrective actions they promise.

The record is the design document's "AI Incident Record Schema"; aigen adds the fields that make it checkable
(a post-incident review reference, an EU AI Act Article 73 assessment, the response deadline, the runbook).
"""
