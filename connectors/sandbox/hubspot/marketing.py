"""Marketing forms (v3 definitions) and their submissions (v1 form integrations, newest first)."""

from __future__ import annotations

from urllib.parse import urlencode

from ..store import Record
from ..web import Request, Response
from . import errors
from .records import VENDOR, base_where
from .values import encode_cursor, flag, iso, parse_ms

FORMS_MAX = 500
SUBMISSIONS_MAX = 50


def submissions_object(form_id: str) -> str:
    """Each form's submissions are their own store object: one index range, in time order."""
    return f"form_submissions/{form_id}"


def _email_field() -> dict:
    return {
        "objectTypeId": "0-1",
        "name": "email",
        "label": "Email",
        "required": True,
        "hidden": False,
        "fieldType": "email",
        "dependentFields": [],
        "validation": {"blockedEmailDomains": [], "useDefaultBlockList": False},
    }


def form_defaults() -> dict:
    """What a plain HubSpot form carries besides its name (one email field, default settings)."""
    return {
        "fieldGroups": [{"groupType": "default_group", "richTextType": "text", "fields": [_email_field()]}],
        "configuration": {
            "language": "en",
            "cloneable": True,
            "editable": True,
            "archivable": True,
            "recaptchaEnabled": False,
            "notifyContactOwner": False,
            "notifyRecipients": [],
            "createNewContactForNewEmail": False,
            "prePopulateKnownValues": True,
            "allowLinkToResetKnownValues": False,
            "lifecycleStages": [],
            "postSubmitAction": {"type": "thank_you", "value": "Thanks for submitting the form."},
        },
        "displayOptions": {
            "renderRawHtml": False,
            "theme": "default_style",
            "submitButtonText": "Submit",
            "style": {
                "fontFamily": "arial, helvetica, sans-serif",
                "backgroundWidth": "100%",
                "labelTextColor": "#33475b",
                "labelTextSize": "14px",
                "helpTextColor": "#7C98B6",
                "helpTextSize": "11px",
                "legalConsentTextColor": "#33475b",
                "legalConsentTextSize": "14px",
                "submitColor": "#ff7a59",
                "submitAlignment": "left",
                "submitFontColor": "#ffffff",
                "submitSize": "12px",
            },
        },
        "legalConsentOptions": {"type": "none"},
    }


def form_record(raw: dict, now_ms: int) -> Record:
    created = parse_ms(raw["createdAt"]) if raw.get("createdAt") else now_ms
    updated = parse_ms(raw["updatedAt"]) if raw.get("updatedAt") else created
    data = {k: v for k, v in raw.items() if k not in ("id", "createdAt", "updatedAt", "archived")}
    return Record(VENDOR, "forms", str(raw["id"]), data, created, updated, bool(raw.get("archived")))


def form_answer(rec: Record) -> dict:
    out = {"id": rec.id, "formType": "hubspot", **form_defaults(), **rec.data}
    out.update(createdAt=iso(rec.created), updatedAt=iso(rec.modstamp), archived=rec.deleted)
    if rec.deleted:
        out.setdefault("archivedAt", iso(rec.modstamp))
    return out


def submission_record(raw: dict) -> Record:
    at = int(raw["submittedAt"])
    data = {k: v for k, v in raw.items() if k != "formId"}
    return Record(VENDOR, submissions_object(str(raw["formId"])), str(raw["conversionId"]), data, at, at)


def install(app) -> None:
    def list_forms(request: Request) -> Response:
        limit = min(app.int_arg(request, "limit", 20, low=1), FORMS_MAX)
        offset = app.int_arg(request, "after", 0, low=0)
        archived = flag(request.arg("archived"))
        types = request.args("formTypes") or ["hubspot"]
        where = f"{base_where('forms')} and deleted = {int(archived)}"
        if "all" not in types:
            marks = ",".join("?" * len(types))
            where += f" and coalesce(json_extract(data, '$.formType'), 'hubspot') in ({marks})"
        rows = app.records.query(where, [] if "all" in types else types, "created, id", limit + 1, offset)
        body: dict = {"results": [form_answer(r) for r in rows[:limit]]}
        if len(rows) > limit:
            nxt = str(offset + limit)
            query = [(k, v) for k, vs in request.query.items() if k != "after" for v in vs]
            link = f"{app.base_url(request)}{request.path}?{urlencode(query + [('after', nxt)])}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    def get_form(request: Request) -> Response:
        rec = app.store.get(VENDOR, "forms", request.params["id"])
        if rec is None or rec.deleted != flag(request.arg("archived")):
            raise errors.not_found(f"Form {request.params['id']} does not exist")
        return Response.json(form_answer(rec))

    def submissions(request: Request) -> Response:
        form_id = request.params["id"]
        form = app.store.get(VENDOR, "forms", form_id)
        if form is None:
            raise errors.not_found(f"Form {form_id} does not exist")
        limit = app.int_arg(request, "limit", 20, low=1)
        if limit > SUBMISSIONS_MAX:
            raise errors.bad_request(f"limit must be at most {SUBMISSIONS_MAX}, got {limit}")
        where, params = "vendor = 'hubspot' and object = ?", [submissions_object(form_id)]
        after = request.arg("after")
        if after:
            at, last_id = app.cursor(after)
            where += " and modstamp <= ? and not (modstamp = ? and id >= ?)"
            params += [int(at), int(at), str(last_id)]
        rows = app.records.query(where, params, "modstamp desc, id desc", limit + 1)
        body: dict = {"results": [r.data for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            nxt = encode_cursor(last.modstamp, last.id)
            link = f"{app.base_url(request)}{request.path}?{urlencode({'limit': limit, 'after': nxt})}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    app.router.add("GET", "/marketing/v3/forms", list_forms)
    app.router.add("GET", "/marketing/v3/forms/{id}", get_form)
    app.router.add("GET", "/form-integrations/v1/submissions/forms/{id}", submissions)
