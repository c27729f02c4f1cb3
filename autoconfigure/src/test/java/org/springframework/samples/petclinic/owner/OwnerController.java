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

package org.springframework.samples.petclinic.owner;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * Application code that lives under {@code org.springframework}, as Spring PetClinic's
 * does: PoolWarden must name it as the call site, not skip it as framework code.
 */
public class OwnerController {

	private final DataSource dataSource;

	public OwnerController(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Take a connection and keep it, as a request that is still running does.
	 */
	public Connection findOwners() throws SQLException {
		return this.dataSource.getConnection();
	}

}
