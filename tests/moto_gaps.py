"""moto_server with the SSO Admin operations moto (5.2.6 and before) lacks, for the Identity Center stack.

The AWS provider reads a permission set's tags on every refresh (``ListTagsForResource``) and
manages its boundary and the instance's attributes for access control with operations moto
does not implement, so ``terraform apply`` of ``stacks/identity-center`` fails against a plain
moto_server. This launcher adds them to moto's SSO Admin service before starting the server,
in the same store-and-return-what-was-sent way moto implements the rest of the service: tags,
the permissions boundary reference, the access-control attribute configuration, and the
status of a provisioning request (moto provisions synchronously and says SUCCEEDED). Nothing
here evaluates a policy; nothing of iamforge is replaced.

Run as ``python tests/moto_gaps.py -H 127.0.0.1 -p PORT`` (the arguments of ``moto.server``).
"""
from __future__ import annotations

import json
import sys
from typing import Any


def _install() -> None:
    from moto.ssoadmin import models, responses
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    def permission_set(self: Any, params: dict) -> Any:
        return self.ssoadmin_backend._find_permission_set(params["InstanceArn"],
                                                          params.get("PermissionSetArn") or params["ResourceArn"])

    def list_tags_for_resource(self: Any) -> str:
        ps = permission_set(self, json.loads(self.body))
        return json.dumps({"Tags": list(ps.tags or [])})

    def tag_resource(self: Any) -> str:
        params = json.loads(self.body)
        ps = permission_set(self, params)
        tags = {t["Key"]: t["Value"] for t in ps.tags or []}
        tags.update({t["Key"]: t["Value"] for t in params["Tags"]})
        ps.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
        return "{}"

    def untag_resource(self: Any) -> str:
        params = json.loads(self.body)
        ps = permission_set(self, params)
        ps.tags = [t for t in ps.tags or [] if t["Key"] not in params["TagKeys"]]
        return "{}"

    def put_permissions_boundary_to_permission_set(self: Any) -> str:
        params = json.loads(self.body)
        permission_set(self, params).permissions_boundary = params["PermissionsBoundary"]
        return "{}"

    def get_permissions_boundary_for_permission_set(self: Any) -> str:
        boundary = getattr(permission_set(self, json.loads(self.body)), "permissions_boundary", None)
        if boundary is None:
            raise ResourceNotFoundException(message="The permission set has no permissions boundary")
        return json.dumps({"PermissionsBoundary": boundary})

    def delete_permissions_boundary_from_permission_set(self: Any) -> str:
        permission_set(self, json.loads(self.body)).permissions_boundary = None
        return "{}"

    def attributes(self: Any) -> dict[str, Any]:
        backend = self.ssoadmin_backend
        if not hasattr(backend, "access_control_attributes"):
            backend.access_control_attributes = {}
        return backend.access_control_attributes

    def put_attributes(self: Any) -> str:
        params = json.loads(self.body)
        attributes(self)[params["InstanceArn"]] = params["InstanceAccessControlAttributeConfiguration"]
        return "{}"

    def describe_attributes(self: Any) -> str:
        found = attributes(self).get(json.loads(self.body)["InstanceArn"])
        if found is None:
            raise ResourceNotFoundException(message="No access control attribute configuration")
        return json.dumps({"Status": "ENABLED", "InstanceAccessControlAttributeConfiguration": found})

    def delete_attributes(self: Any) -> str:
        attributes(self).pop(json.loads(self.body)["InstanceArn"], None)
        return "{}"

    def describe_provisioning_status(self: Any) -> str:
        # moto provisions synchronously and answers ProvisionPermissionSet with SUCCEEDED.
        params = json.loads(self.body)
        return json.dumps({"PermissionSetProvisioningStatus": {
            "RequestId": params["ProvisionPermissionSetRequestId"], "Status": "SUCCEEDED",
            "AccountId": self.current_account}})

    added = {
        "describe_permission_set_provisioning_status": describe_provisioning_status,
        "list_tags_for_resource": list_tags_for_resource,
        "tag_resource": tag_resource,
        "untag_resource": untag_resource,
        "put_permissions_boundary_to_permission_set": put_permissions_boundary_to_permission_set,
        "get_permissions_boundary_for_permission_set": get_permissions_boundary_for_permission_set,
        "delete_permissions_boundary_from_permission_set": delete_permissions_boundary_from_permission_set,
        "create_instance_access_control_attribute_configuration": put_attributes,
        "update_instance_access_control_attribute_configuration": put_attributes,
        "describe_instance_access_control_attribute_configuration": describe_attributes,
        "delete_instance_access_control_attribute_configuration": delete_attributes,
    }
    for name, method in added.items():
        if not hasattr(responses.SSOAdminResponse, name):  # a moto that has it keeps its own
            setattr(responses.SSOAdminResponse, name, method)
    assert models  # imported for its backends' registration


if __name__ == "__main__":
    _install()
    from moto.server import main

    main(sys.argv[1:])
