"""Drive huwise-utils-py's metadata calls: set and get fields, bulk update, license copy.

Run by ``tests/e2e/test_huwise_utils.py`` like ``huwise_datasets.py`` (the same
environment variables); writes what it saw, as JSON, to the file named by its argument.
"""

import json
import sys

from huwise_utils_py import HuwiseDataset, bulk_update_metadata


def main(out: str) -> None:
    seen: dict[str, object] = {}
    dataset = HuwiseDataset.create(title="Benches", dataset_id="benches")
    seen["uid"] = dataset.uid
    seen["title_created"] = dataset.get_title()
    # each set_* waits for idle, PUTs the field, then publishes (fire-and-forget)
    dataset.set_title("Benches of the city")
    dataset.set_description("Where to sit down", publish=False)
    dataset.set_keywords(["bench", "park"], publish=False)
    dataset.set_license("cc_by", license_name="CC BY 4.0", publish=False)
    seen["title"] = dataset.get_title()
    seen["description"] = dataset.get_description()
    seen["keywords"] = dataset.get_keywords()
    seen["license"] = dataset.get_license()
    dataset._wait_for_idle()
    seen["bulk"] = bulk_update_metadata(
        [{"dataset_id": "benches", "title": "Benches (bulk)", "description": "Updated in bulk"}]
    )
    dataset._wait_for_idle()
    seen["title_after_bulk"] = dataset.get_title()
    seen["description_after_bulk"] = dataset.get_description()
    seen["keywords_after_bulk"] = dataset.get_keywords()
    seen["metadata"] = dataset.get_metadata()
    dataset.unpublish()
    dataset.delete()
    with open(out, "w", encoding="utf-8") as file:
        json.dump(seen, file)


if __name__ == "__main__":
    main(sys.argv[1])
