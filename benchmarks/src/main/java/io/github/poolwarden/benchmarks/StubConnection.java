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

package io.github.poolwarden.benchmarks;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A connection whose every method does nothing, so a benchmark measures only the pool
 * and what wraps it.
 */
final class StubConnection implements Connection {

	private volatile boolean closed;

	private boolean autoCommit = true;

	@Override
	public void close() {
		this.closed = true;
	}

	@Override
	public boolean isClosed() {
		return this.closed;
	}

	@Override
	public boolean getAutoCommit() {
		return this.autoCommit;
	}

	@Override
	public void setAutoCommit(boolean autoCommit) {
		this.autoCommit = autoCommit;
	}

	@Override
	public boolean isValid(int timeout) {
		return !this.closed;
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		if (iface.isInstance(this)) {
			return iface.cast(this);
		}
		throw new SQLException("Not a wrapper for " + iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) {
		return iface.isInstance(this);
	}

	@Override
	public Statement createStatement() {
		return null;
	}

	@Override
	public PreparedStatement prepareStatement(String arg0) {
		return null;
	}

	@Override
	public CallableStatement prepareCall(String arg0) {
		return null;
	}

	@Override
	public String nativeSQL(String arg0) {
		return null;
	}

	@Override
	public void commit() {
	}

	@Override
	public void rollback() {
	}

	@Override
	public DatabaseMetaData getMetaData() {
		return null;
	}

	@Override
	public void setReadOnly(boolean arg0) {
	}

	@Override
	public boolean isReadOnly() {
		return false;
	}

	@Override
	public void setCatalog(String arg0) {
	}

	@Override
	public String getCatalog() {
		return null;
	}

	@Override
	public void setTransactionIsolation(int arg0) {
	}

	@Override
	public int getTransactionIsolation() {
		return 0;
	}

	@Override
	public SQLWarning getWarnings() {
		return null;
	}

	@Override
	public void clearWarnings() {
	}

	@Override
	public Statement createStatement(int arg0, int arg1) {
		return null;
	}

	@Override
	public PreparedStatement prepareStatement(String arg0, int arg1, int arg2) {
		return null;
	}

	@Override
	public CallableStatement prepareCall(String arg0, int arg1, int arg2) {
		return null;
	}

	@Override
	public Map<String, Class<?>> getTypeMap() {
		return null;
	}

	@Override
	public void setTypeMap(Map<String, Class<?>> arg0) {
	}

	@Override
	public void setHoldability(int arg0) {
	}

	@Override
	public int getHoldability() {
		return 0;
	}

	@Override
	public Savepoint setSavepoint() {
		return null;
	}

	@Override
	public Savepoint setSavepoint(String arg0) {
		return null;
	}

	@Override
	public void rollback(Savepoint arg0) {
	}

	@Override
	public void releaseSavepoint(Savepoint arg0) {
	}

	@Override
	public Statement createStatement(int arg0, int arg1, int arg2) {
		return null;
	}

	@Override
	public PreparedStatement prepareStatement(String arg0, int arg1, int arg2, int arg3) {
		return null;
	}

	@Override
	public CallableStatement prepareCall(String arg0, int arg1, int arg2, int arg3) {
		return null;
	}

	@Override
	public PreparedStatement prepareStatement(String arg0, int arg1) {
		return null;
	}

	@Override
	public PreparedStatement prepareStatement(String arg0, int[] arg1) {
		return null;
	}

	@Override
	public PreparedStatement prepareStatement(String arg0, String[] arg1) {
		return null;
	}

	@Override
	public Clob createClob() {
		return null;
	}

	@Override
	public Blob createBlob() {
		return null;
	}

	@Override
	public NClob createNClob() {
		return null;
	}

	@Override
	public SQLXML createSQLXML() {
		return null;
	}

	@Override
	public void setClientInfo(String arg0, String arg1) {
	}

	@Override
	public void setClientInfo(Properties arg0) {
	}

	@Override
	public String getClientInfo(String arg0) {
		return null;
	}

	@Override
	public Properties getClientInfo() {
		return null;
	}

	@Override
	public Array createArrayOf(String arg0, Object[] arg1) {
		return null;
	}

	@Override
	public Struct createStruct(String arg0, Object[] arg1) {
		return null;
	}

	@Override
	public void setSchema(String arg0) {
	}

	@Override
	public String getSchema() {
		return null;
	}

	@Override
	public void abort(Executor arg0) {
	}

	@Override
	public void setNetworkTimeout(Executor arg0, int arg1) {
	}

	@Override
	public int getNetworkTimeout() {
		return 0;
	}
}
