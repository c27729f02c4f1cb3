/*
 * Copyright 2026-present the PoolWarden authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package io.github.poolwarden.sample.clinic;

import java.util.List;

import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Finds owners and their pets, the way Spring PetClinic's owner search does: a JPA query
 * in a read-only transaction, one connection per request.
 *
 * @author PoolWarden authors
 */
@RestController
class OwnerController {

	private final OwnerRepository owners;

	OwnerController(OwnerRepository owners) {
		this.owners = owners;
	}

	@GetMapping("/owners")
	@Transactional(readOnly = true)
	List<OwnerView> find(@RequestParam(defaultValue = "") String lastName) {
		return this.owners.findByLastNameStartingWithOrderByLastName(lastName)
			.stream()
			.map((owner) -> new OwnerView(owner.getId(), owner.getFirstName() + " " + owner.getLastName(),
					owner.getCity(), owner.getPets().stream().map(Pet::getName).toList()))
			.toList();
	}

	/**
	 * An owner as the API shows it.
	 *
	 * @param id the id
	 * @param name first and last name
	 * @param city the city
	 * @param pets the pets' names
	 */
	record OwnerView(Integer id, String name, String city, List<String> pets) {
	}

}
