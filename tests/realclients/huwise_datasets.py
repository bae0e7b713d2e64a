"""Drive huwise-utils-py against the simulator: datasets, paging, publish, delete.

Run by ``tests/e2e/test_huwise_utils.py`` with the client's own Python (3.12) and
environment: ``HUWISE_DOMAIN=localhost:PORT``, ``HUWISE_API_KEY``, ``SSL_CERT_FILE``.
Writes what it saw, as JSON, to the file named by its one argument. Only the client's
public calls are used, and ``_wait_for_idle``: its own wait loop, which it runs
before every write, called here directly after a publish and an unpublish.
"""

import asyncio
import json
import sys

from huwise_utils_py import HuwiseDataset, bulk_get_metadata, get_number_of_datasets
from huwise_utils_py.bulk import bulk_get_dataset_ids, bulk_get_dataset_ids_async
from huwise_utils_py.config import HuwiseConfig


def main(out: str) -> None:
    seen: dict[str, object] = {"base_url": HuwiseConfig.from_env().base_url}
    seen["count_before"] = get_number_of_datasets()

    dataset = HuwiseDataset.create(title="Trees of the city", dataset_id="city-trees")
    seen["uid"] = dataset.uid
    seen["from_id"] = HuwiseDataset.from_id("city-trees").uid
    seen["metadata"] = dataset.get_metadata()
    seen["bulk_metadata"] = bulk_get_metadata(dataset_ids=["city-trees", "no-such-id"])
    seen["ids"] = bulk_get_dataset_ids()
    seen["ids_async"] = asyncio.run(bulk_get_dataset_ids_async())

    dataset.update_configuration(is_restricted=True)
    dataset.refresh()
    dataset.publish()
    dataset._wait_for_idle()
    seen["published"] = True
    dataset.unpublish()
    dataset._wait_for_idle()
    dataset.delete()
    seen["count_after"] = get_number_of_datasets()

    with open(out, "w", encoding="utf-8") as file:
        json.dump(seen, file)


if __name__ == "__main__":
    main(sys.argv[1])
